import { AuditAppender } from '@keyward/audit';
import type { ChangeContext, TenantTx } from '@keyward/platform';
import { WebhookOutbox } from '@keyward/webhooks';
import { Injectable } from '@nestjs/common';
import type { ApiKey } from '../domain/api-key';
import { KeysRepository } from '../keys.repository';

/**
 * Revoking and disabling keys inside the caller's tenant transaction, on keys it has locked, in a
 * few statements however many keys there are: the change, an audit event per key changed
 * (key.revoked or key.disabled, with `reason`) and, for revocations, the webhook key.revoked. Keys
 * revoked already (or, to disable, disabled already) are left alone. The caller announces the
 * invalidation of the changed keys after commit (KeyInvalidation).
 */
@Injectable()
export class KeyStateChanges {
  constructor(
    private readonly keys: KeysRepository,
    private readonly audit: AuditAppender,
    private readonly webhooks: WebhookOutbox,
  ) {}

  /** Answers the keys this revoked, as they now are. */
  async revoke(tx: TenantTx, keys: readonly ApiKey[], change: ChangeContext, reason: string | null): Promise<ApiKey[]> {
    const revoked = await this.keys.markAll(
      tx,
      keys.filter((key) => !key.revokedAt).map((key) => key.id),
      'revoked',
    );
    await this.audit.appendAll(
      tx,
      change,
      revoked.map((key) => ({ action: 'key.revoked', target: { type: 'key', id: key.id }, details: { reason } })),
    );
    await this.webhooks.enqueueAll(
      tx,
      revoked.map((key) => ({ type: 'key.revoked', data: { keyId: key.id, ownerId: key.ownerId, name: key.name, reason } })),
    );
    return revoked;
  }

  /** Answers the keys this disabled, as they now are. */
  async disable(tx: TenantTx, keys: readonly ApiKey[], change: ChangeContext, reason: string | null): Promise<ApiKey[]> {
    const disabled = await this.keys.markAll(
      tx,
      keys.filter((key) => !key.revokedAt && key.enabled).map((key) => key.id),
      'disabled',
    );
    await this.audit.appendAll(
      tx,
      change,
      disabled.map((key) => ({ action: 'key.disabled', target: { type: 'key', id: key.id }, details: { reason } })),
    );
    return disabled;
  }
}
