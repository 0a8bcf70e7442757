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

/** The audit log's view of who made a change: a caller, or a scheduled job of the system. */
export interface Actor {
  readonly type: 'platform' | 'credential' | 'system';
  readonly id: string;
}

export function actorOf(principal: Principal): Actor {
  return principal.kind === 'platform' ? { type: 'platform', id: 'platform' } : { type: 'credential', id: principal.credentialId };
}

/** Who made a change, from which request: what the audit log records with every event. */
export interface ChangeContext {
  readonly actor: Actor;
  /** The HTTP request id, or the job id of a scheduled run. */
  readonly requestId: string;
  /** The caller's address; null for the system's own jobs. */
  readonly ip: string | null;
}

/** The change context of a scheduled job's run: actor `system`, the job's id in place of a request id. */
export function systemChange(job: string, runId: string): ChangeContext {
  return { actor: { type: 'system', id: job }, requestId: runId, ip: null };
}
