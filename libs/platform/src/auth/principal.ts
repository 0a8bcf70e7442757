export type CredentialRole = 'admin' | 'auditor' | 'verifier';

export const CREDENTIAL_ROLES: readonly CredentialRole[] = ['admin', 'auditor', 'verifier'];

export type TenantStatus = 'active' | 'suspended';

/** Who is calling: the platform operator, or a tenant credential. */
export type Principal =
  | { readonly kind: 'platform' }
  | {
      readonly kind: 'credential';
      readonly credentialId: string;
      readonly tenantId: string;
      readonly role: CredentialRole;
      readonly tenantStatus: TenantStatus;
    };

/** The audit log's view of who made a change. */
export interface Actor {
  readonly type: 'platform' | 'credential';
  readonly id: string;
}

export function actorOf(principal: Principal): Actor {
  return principal.kind === 'platform'
    ? { type: 'platform', id: 'platform' }
    : { type: 'credential', id: principal.credentialId };
}

/** Who made a change, from which request: what the audit log records with every event. */
export interface ChangeContext {
  readonly actor: Actor;
  readonly requestId: string;
  readonly ip: string;
}
