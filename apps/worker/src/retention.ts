// What the hourly housekeeping deletes, and when (docs/operations.md, Retention): each kind of row
// past its age, one batch of RETENTION_BATCH_SIZE rows per statement, until a batch comes back
// short. Every batch is its own statement on the pool, so no transaction stays open and no lock
// is held between batches; the audit log is not among them.
import { KEYWARD_CONFIG, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What keyward_purge_batch deletes, each with its age in days (0: past its own expiry). */
type Purged = 'idempotency_records' | 'key_usage' | 'webhook_deliveries_succeeded' | 'webhook_deliveries_failed';

export interface RetentionReport {
  /** Rows deleted, by kind. */
  deleted: Record<Purged, number>;
  /** Delete statements run. */
  batches: number;
}

@Injectable()
export class EnforceRetention {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async execute(): Promise<RetentionReport> {
    const { usageDays, webhookSucceededDays, webhookFailedDays } = this.config.retention;
    const ages: Record<Purged, number> = {
      idempotency_records: 0,
      key_usage: usageDays,
      webhook_deliveries_succeeded: webhookSucceededDays,
      webhook_deliveries_failed: webhookFailedDays,
    };
    const report: RetentionReport = {
      deleted: { idempotency_records: 0, key_usage: 0, webhook_deliveries_succeeded: 0, webhook_deliveries_failed: 0 },
      batches: 0,
    };
    for (const [what, days] of Object.entries(ages) as [Purged, number][]) {
      for (;;) {
        const purged = await this.batch(what, days);
        report.batches++;
        report.deleted[what] += purged;
        if (purged < this.config.retention.batchSize) break;
      }
    }
    return report;
  }

  private async batch(what: Purged, days: number): Promise<number> {
    const [row]: { purged: number }[] = await this.dataSource.query(
      'SELECT keyward_purge_batch($1, now() - make_interval(days => $2), $3) AS purged',
      [what, days, this.config.retention.batchSize],
    );
    return row.purged;
  }
}
