import type { TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface UsageCount {
  keyId: string;
  /** Start of the hour, epoch ms. */
  hour: number;
  code: string;
  count: number;
}

export interface UsageBucketRow {
  start: Date;
  code: string;
  count: string;
}

export type UsageGranularity = 'hour' | 'day';

/**
 * Writes of the verify service (counts, lastUsedAt, credit balances) across tenants, each flush one
 * statement through the migrations' SECURITY DEFINER functions; and the tenant's own reads.
 */
@Injectable()
export class KeyUsageRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(counts: UsageCount[], lastUsed: Array<{ keyId: string; at: number }>): Promise<void> {
    await this.dataSource.query('SELECT keyward_record_usage($1::uuid[], $2::timestamptz[], $3::text[], $4::bigint[], $5::uuid[], $6::timestamptz[])', [
      counts.map((c) => c.keyId),
      counts.map((c) => new Date(c.hour)),
      counts.map((c) => c.code),
      counts.map((c) => c.count),
      lastUsed.map((l) => l.keyId),
      lastUsed.map((l) => new Date(l.at)),
    ]);
  }

  async writeBackCredits(balances: Array<{ keyId: string; balance: number; version: number }>): Promise<void> {
    if (balances.length === 0) return;
    await this.dataSource.query('SELECT keyward_write_back_credits($1::uuid[], $2::bigint[], $3::bigint[])', [
      balances.map((b) => b.keyId),
      balances.map((b) => b.balance),
      balances.map((b) => b.version),
    ]);
  }

  async buckets(tx: TenantTx, keyId: string, granularity: UsageGranularity, from: Date, to: Date): Promise<UsageBucketRow[]> {
    return tx.manager.query(
      `SELECT date_trunc($3, hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start, code, sum(count)::text AS count
         FROM key_usage
        WHERE tenant_id = $1 AND key_id = $2 AND hour >= $4 AND hour < $5
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [tx.tenantId, keyId, granularity, from, to],
    );
  }
}
