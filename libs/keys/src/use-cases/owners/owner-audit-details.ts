import type { JsonValue } from '@keyward/audit';
import type { Owner } from '../../domain/owner';

/** What the audit log keeps of an owner's settings. */
export function ownerSettings(owner: Owner): { [name: string]: JsonValue } {
  return {
    name: owner.name,
    meta: owner.meta as { [name: string]: JsonValue },
    rateLimits: owner.rateLimits.map((limit) => ({ ...limit })),
    credits:
      owner.remaining === null ? null : { remaining: owner.remaining, refill: owner.creditsRefill ? { ...owner.creditsRefill } : null },
  };
}
