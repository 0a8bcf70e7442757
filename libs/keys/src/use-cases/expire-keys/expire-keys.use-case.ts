import { AuditAppender } from '@keyward/audit';
import { systemChange, TenantTransactions, type ChangeContext } from '@keyward/platform';
import { DEFAULT_POLICY } from '@keyward/policy';
import { WebhookOutbox } from '@keyward/webhooks';
import { Injectable, Logger } from '@nestjs/common';
import { KeysRepository } from '../../keys.repository';
import { KeyExpiryRepository, type DueExpiry, type DueWarnings } from './key-expiry.repository';

/** What one run did, in counts (GET /v1/jobs/{jobId} `result`). */
export interface ExpiryRunReport {
  /** Keys whose expiry was recorded: audit key.expired and webhook key.expired. */
  expired: number;
  /** key.expiring warnings sent, one per (key, warning day). */
  warned: number;
  /** Keys whose recording failed; each is left untouched and the next run retries it. */
  failed: number;
}

const PAGE_SIZE = 500;

/**
 * One pass of the expiry job (docs/api.md: Keys, Policy; docs/operations.md, Scheduled jobs). Verify already answers EXPIRED from
 * the timestamp; this makes the audit log and the webhooks follow, exactly once per key and expiry:
 * - each key past its expiresAt (not revoked) gets audit key.expired and webhook key.expired;
 * - each key that will expire within d days, for each d of the tenant's expiryWarningDays, gets
 *   webhook key.expiring once (none for a key already expired, or replaced by a rotation, whose
 *   key.rotated said when it stops working).
 * Each key is its own tenant transaction holding the mark, the webhook and the audit event, so a
 * run killed or failing half-way leaves each key either fully recorded or untouched, and the next
 * run records the rest once. Concurrent runs serialise on the key's row (or the warning's primary
 * key) and the later one finds nothing left to do.
 */
@Injectable()
export class ExpireKeysUseCase {
  private readonly logger = new Logger(ExpireKeysUseCase.name);

  constructor(
    private readonly transactions: TenantTransactions,
    private readonly expiries: KeyExpiryRepository,
    private readonly keys: KeysRepository,
    private readonly audit: AuditAppender,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async execute(runId: string): Promise<ExpiryRunReport> {
    const change = systemChange('expiry', runId);
    const report: ExpiryRunReport = { expired: 0, warned: 0, failed: 0 };

    // Expiries first: a key that expires while the run is under way is recorded, not warned about.
    let after: { expiresAt: Date; keyId: string } | null = null;
    for (;;) {
      const page: DueExpiry[] = await this.expiries.dueExpiries(after, PAGE_SIZE);
      for (const due of page) {
        try {
          if (await this.recordExpiry(due, change)) report.expired++;
        } catch (error) {
          report.failed++;
          this.logger.warn({ err: error, keyId: due.keyId }, 'Recording a key expiry failed; the next run retries it');
        }
      }
      if (page.length < PAGE_SIZE) break;
      after = { expiresAt: page[page.length - 1].expiresAt, keyId: page[page.length - 1].keyId };
    }

    let afterKeyId: string | null = null;
    for (;;) {
      const page: DueWarnings[] = await this.expiries.dueWarnings(DEFAULT_POLICY.expiryWarningDays, afterKeyId, PAGE_SIZE);
      for (const due of page) {
        try {
          report.warned += await this.sendWarnings(due);
        } catch (error) {
          report.failed++;
          this.logger.warn({ err: error, keyId: due.keyId }, 'Sending expiry warnings failed; the next run retries them');
        }
      }
      if (page.length < PAGE_SIZE) break;
      afterKeyId = page[page.length - 1].keyId;
    }
    return report;
  }

  private recordExpiry(due: DueExpiry, change: ChangeContext): Promise<boolean> {
    return this.transactions.run(due.tenantId, async (tx) => {
      const recorded = await this.expiries.recordExpiry(tx, due.keyId);
      if (!recorded) return false;
      const expiresAt = recorded.expiresAt.toISOString();
      await this.webhooks.enqueue(tx, {
        type: 'key.expired',
        data: { keyId: recorded.keyId, ownerId: recorded.ownerId, name: recorded.name, expiresAt },
      });
      await this.audit.append(tx, change, { action: 'key.expired', target: { type: 'key', id: recorded.keyId }, details: { expiresAt } });
      return true;
    });
  }

  /** key.expiring for each due warning day of one key; answers how many were sent. */
  private sendWarnings(due: DueWarnings): Promise<number> {
    return this.transactions.run(due.tenantId, async (tx) => {
      const key = await this.keys.findById(tx, due.keyId);
      if (!key) return 0;
      const recorded = await this.expiries.recordWarnings(tx, key.id, due.days);
      for (const warning of recorded) {
        await this.webhooks.enqueue(tx, {
          type: 'key.expiring',
          data: {
            keyId: key.id,
            ownerId: key.ownerId,
            name: key.name,
            expiresAt: warning.expiresAt.toISOString(),
            daysBefore: warning.days,
          },
        });
      }
      return recorded.length;
    });
  }
}
