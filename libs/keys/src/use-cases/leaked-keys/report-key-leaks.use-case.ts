import { AuditAppender } from '@keyward/audit';
import { TenantTransactions, type ChangeContext, type TenantTx } from '@keyward/platform';
import { PolicyRepository, type LeakedKeyAction } from '@keyward/policy';
import { WebhookOutbox } from '@keyward/webhooks';
import { Injectable } from '@nestjs/common';
import { KeyNotFoundError, type ApiKey } from '../../domain/api-key';
import { KeysRepository } from '../../keys.repository';
import { KeyInvalidation } from '../key-invalidation';
import { KeyStateChanges } from '../key-state-changes';
import { LeakedKeysRepository, type LeakedKeyMatch } from './leaked-keys.repository';

/** Where a key was found leaked: a URL and what kind of place it is (GitHub's `source`), each optional. */
export interface KeyLeak {
  keyId: string;
  url: string | null;
  source: string | null;
}

export interface ReportKeyLeaksCommand {
  tenantId: string;
  leaks: readonly KeyLeak[];
  change: ChangeContext;
}

/** The reason the key.revoked and key.disabled events of a leak give. */
export const LEAKED_REASON = 'leaked';

/**
 * Applies the tenant's `leakedKeyAction` to keys reported leaked (docs/secret-scanning.md), all of one
 * tenant in one transaction: revoke or disable (as revoke and PATCH do: key.revoked with its webhook,
 * or key.disabled) or only report, and for each leak the audit event key.leaked `{url, source, action}`
 * and the webhook key.leaked. Verify processes drop the changed keys on the invalidation sent after
 * commit, as for every revoke. A key revoked already is reported again, and stays revoked.
 */
@Injectable()
export class ReportKeyLeaksUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly keys: KeysRepository,
    private readonly policies: PolicyRepository,
    private readonly stateChanges: KeyStateChanges,
    private readonly audit: AuditAppender,
    private readonly webhooks: WebhookOutbox,
    private readonly invalidation: KeyInvalidation,
    private readonly leakedKeys: LeakedKeysRepository,
  ) {}

  /** The keys of any tenant whose keyed hashes are given (at most 1,000), in one statement. */
  find(keyHashes: Buffer[]): Promise<LeakedKeyMatch[]> {
    return this.leakedKeys.findByHashes(keyHashes);
  }

  /** Answers each reported key as it is after the policy's action, in the order of `leaks`. */
  async execute(command: ReportKeyLeaksCommand): Promise<ApiKey[]> {
    const { keys, changed } = await this.transactions.run(command.tenantId, async (tx) => {
      const { leakedKeyAction: action } = await this.policies.find(tx);
      const found = new Map(
        (await this.keys.findAllByIdForUpdate(tx, [...new Set(command.leaks.map((leak) => leak.keyId))])).map((key) => [key.id, key]),
      );
      const reported = command.leaks.map((leak) => {
        const key = found.get(leak.keyId);
        if (!key) throw new KeyNotFoundError();
        return { key, details: { url: leak.url, source: leak.source, action } };
      });
      await this.audit.appendAll(
        tx,
        command.change,
        reported.map(({ key, details }) => ({ action: 'key.leaked', target: { type: 'key', id: key.id }, details })),
      );
      await this.webhooks.enqueueAll(
        tx,
        reported.map(({ key, details }) => ({
          type: 'key.leaked',
          data: { keyId: key.id, ownerId: key.ownerId, name: key.name, ...details },
        })),
      );
      const changed = await this.apply(tx, action, [...found.values()], command.change);
      for (const key of changed) found.set(key.id, key);
      return { keys: command.leaks.map((leak) => found.get(leak.keyId)!), changed };
    });
    await Promise.all(changed.map((key) => this.invalidation.announce(key)));
    return keys;
  }

  private apply(tx: TenantTx, action: LeakedKeyAction, keys: ApiKey[], change: ChangeContext): Promise<ApiKey[]> {
    if (action === 'revoke') return this.stateChanges.revoke(tx, keys, change, LEAKED_REASON);
    if (action === 'disable') return this.stateChanges.disable(tx, keys, change, LEAKED_REASON);
    return Promise.resolve([]);
  }
}
