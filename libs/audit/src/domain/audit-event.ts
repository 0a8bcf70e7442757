/** The actions the log records (docs/api.md, Audit). */
export const AUDIT_ACTIONS = [
  'tenant.created',
  'tenant.suspended',
  'tenant.resumed',
  'credential.created',
  'credential.revoked',
  'credential.leaked',
  'key.created',
  'key.updated',
  'key.rotated',
  'key.revealed',
  'key.revoked',
  'key.expired',
  'key.disabled',
  'key.enabled',
  'key.flagged_unused',
  'key.leaked',
  'policy.updated',
  'webhook.created',
  'webhook.deleted',
  'key.credits_changed',
  'owner.created',
  'owner.updated',
  'owner.deleted',
  'owner.credits_changed',
  'role.updated',
  'role.deleted',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [name: string]: JsonValue };

/** An event as the API returns it, minus the chain fields: exactly what is hashed. */
export interface AuditEventBody {
  id: string;
  seq: number;
  occurredAt: string;
  actor: { type: string; id: string };
  action: string;
  target: { type: string; id: string };
  requestId: string | null;
  ip: string | null;
  details: { [name: string]: JsonValue };
}

export interface AuditEvent extends AuditEventBody {
  prevHash: string;
  hash: string;
}
