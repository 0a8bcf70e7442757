import { TenantTransactions } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { KeyCounters } from '../counters/key-counters';
import type { ApiKey } from '../domain/api-key';
import { verifiableOwnerOf, type VerifiableOwner } from '../domain/owner';
import type { VerifiableKey } from '../domain/verify-decision';
import { KeysRepository } from '../keys.repository';
import { OwnersRepository } from '../owners/owners.repository';

export function verifiableOf(key: ApiKey): VerifiableKey {
  return {
    id: key.id,
    tenantId: key.tenantId,
    name: key.name,
    ownerId: key.ownerId,
    environment: key.environment,
    scopes: key.scopes,
    roles: key.roles,
    meta: key.meta,
    expiresAt: key.expiresAt?.getTime() ?? null,
    revoked: key.revokedAt !== null,
    enabled: key.enabled,
    ipAllowlist: key.ipAllowlist,
    rateLimits: key.rateLimits,
    rateLimit: key.rateLimit,
    remaining: key.remaining,
    creditsVersion: key.creditsVersion,
    creditsRefill: key.creditsRefill,
    counterTag: KeyCounters.tagOf(key),
  };
}

/** The verify service's read of a key, by keyed hash, within the verifier's own tenant. */
@Injectable()
export class LookUpKeyUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly keys: KeysRepository,
  ) {}

  async execute(tenantId: string, keyHash: Buffer): Promise<VerifiableKey | null> {
    const key = await this.transactions.run(tenantId, (tx) => this.keys.findByHash(tx, keyHash));
    return key ? verifiableOf(key) : null;
  }
}

/** The verify service's read of an owner record by owner id, within the verifier's own tenant. */
@Injectable()
export class LookUpOwnerUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly owners: OwnersRepository,
  ) {}

  async execute(tenantId: string, ownerId: string): Promise<VerifiableOwner | null> {
    const owner = await this.transactions.run(tenantId, (tx) => this.owners.find(tx, ownerId));
    return owner ? verifiableOwnerOf(owner) : null;
  }
}
