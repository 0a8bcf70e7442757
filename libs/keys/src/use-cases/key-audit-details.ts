import type { JsonValue } from '@keyward/audit';
import type { ApiKey } from '../domain/api-key';

/** What the audit log keeps of a key's settings: every field but its secret (never in ApiKey). */
export function keySettings(key: ApiKey): { [name: string]: JsonValue } {
  return {
    name: key.name,
    ownerId: key.ownerId,
    environment: key.environment,
    start: key.start,
    scopes: key.scopes,
    roles: key.roles,
    meta: key.meta as { [name: string]: JsonValue },
    expiresAt: key.expiresAt?.toISOString() ?? null,
    rateLimits: key.rateLimits.map((limit) => ({ ...limit })),
    credits: key.remaining === null ? null : { remaining: key.remaining, refill: key.creditsRefill ? { ...key.creditsRefill } : null },
    ipAllowlist: key.ipAllowlist,
    rotation: key.rotation ? { ...key.rotation } : null,
  };
}
