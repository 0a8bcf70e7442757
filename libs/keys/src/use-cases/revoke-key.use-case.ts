import { AuditAppender } from '@keyward/audit';
import { TenantTransactions, type ChangeContext } from '@keyward/platform';
import { WebhookOutbox } from '@keyward/webhooks';
import { Injectable } from '@nestjs/common';
import { KeyNotFoundError, type ApiKey } from '../domain/api-key';
import { KeysRepository } from '../keys.repository';
import { KeyInvalidation } from './key-invalidation';

/** Revokes a key for good. Idempotent: revoking a revoked key changes and records nothing. */
@Injectable()
export class RevokeKeyUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly keys: KeysRepository,
    private readonly audit: AuditAppender,
    private readonly invalidation: KeyInvalidation,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async execute(command: { tenantId: string; keyId: string; reason?: string; change: ChangeContext }): Promise<ApiKey> {
    const { key, changed } = await this.transactions.run(command.tenantId, async (tx) => {
      const current = await this.keys.findById(tx, command.keyId, { forUpdate: true });
      if (!current) throw new KeyNotFoundError();
      if (current.revokedAt) return { key: current, changed: false };
      const revoked = await this.keys.markRevoked(tx, current.id);
      await this.audit.append(tx, command.change, {
        action: 'key.revoked',
        target: { type: 'key', id: current.id },
        details: { reason: command.reason ?? null },
      });
      await this.webhooks.enqueue(tx, {
        type: 'key.revoked',
        data: { keyId: current.id, ownerId: current.ownerId, name: current.name, reason: command.reason ?? null },
      });
      return { key: revoked, changed: true };
    });
    if (changed) await this.invalidation.announce(key);
    return key;
  }
}
