// Owners (docs/api.md, Owners): a tenant's customer or service, named by the `ownerId` its keys
// carry, whose limits and credits every key of that owner id shares.
import { NotFoundError } from '@keyward/platform';
import type { CreditRefill } from './credits';
import type { NamedRateLimit } from './rate-limits';

export const OWNER_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,200}$/;

export interface Owner {
  /** The row's own id: it addresses the owner's credit pool, so a deleted owner made again starts afresh. */
  id: string;
  tenantId: string;
  ownerId: string;
  name: string | null;
  meta: Record<string, unknown>;
  rateLimits: NamedRateLimit[];
  remaining: number | null;
  creditsVersion: number;
  creditsSeed: number;
  creditsRefill: CreditRefill | null;
  creditsPeriod: number | null;
  refilledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What verify needs of an owner: its shared limits and credits, and what a VALID answer shows. */
export type VerifiableOwner = Pick<
  Owner,
  'id' | 'tenantId' | 'ownerId' | 'name' | 'meta' | 'rateLimits' | 'remaining' | 'creditsVersion' | 'creditsRefill'
>;

export function verifiableOwnerOf(owner: Owner): VerifiableOwner {
  return {
    id: owner.id,
    tenantId: owner.tenantId,
    ownerId: owner.ownerId,
    name: owner.name,
    meta: owner.meta,
    rateLimits: owner.rateLimits,
    remaining: owner.remaining,
    creditsVersion: owner.creditsVersion,
    creditsRefill: owner.creditsRefill,
  };
}

export class OwnerNotFoundError extends NotFoundError {
  constructor() {
    super('The owner');
  }
}
