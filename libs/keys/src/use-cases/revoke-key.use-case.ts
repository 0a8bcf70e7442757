import { TenantTransactions, type ChangeContext } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { KeyNotFoundError, type ApiKey } from '../domain/api-key';
import { KeysRepository } from '../keys.repository';
import { KeyInvalidation } from './key-invalidation';
import { KeyStateChanges } from './key-state-changes';

/** Revokes a key for good. Idempotent: revoking a revoked key changes and records nothing. */
@Injectable()
export class RevokeKeyUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly keys: KeysRepository,
    private readonly stateChanges: KeyStateChanges,
    private readonly invalidation: KeyInvalidation,
  ) {}

  async execute(command: { tenantId: string; keyId: string; reason?: string; change: ChangeContext }): Promise<ApiKey> {
    const { key, changed } = await this.transactions.run(command.tenantId, async (tx) => {
      const current = await this.keys.findById(tx, command.keyId, { forUpdate: true });
      if (!current) throw new KeyNotFoundError();
      const [revoked] = await this.stateChanges.revoke(tx, [current], command.change, command.reason ?? null);
      return { key: revoked ?? current, changed: revoked !== undefined };
    });
    if (changed) await this.invalidation.announce(key);
    return key;
  }
}
