import { TenantTransactions } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { ApiKey } from '../domain/api-key';
import type { VerifiableKey } from '../domain/verify-decision';
import { KeysRepository } from '../keys.repository';

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
    rateLimit: key.rateLimit,
    remaining: key.remaining,
    creditsVersion: key.creditsVersion,
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
