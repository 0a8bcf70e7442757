import type { TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CreditsCharge, CreditsTag } from '../counters/key-counters';

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
    await this.dataSource.query(
      'SELECT keyward_record_usage($1::uuid[], $2::timestamptz[], $3::text[], $4::bigint[], $5::uuid[], $6::timestamptz[])',
      [
        counts.map((c) => c.keyId),
        counts.map((c) => new Date(c.hour)),
        counts.map((c) => c.code),
        counts.map((c) => c.count),
        lastUsed.map((l) => l.keyId),
        lastUsed.map((l) => new Date(l.at)),
      ],
    );
  }

  /**
   * Writes back one batch of charged credits (amounts per key, version and seed), at most once per
   * `batchId`. Returns the charges made against an older seed than the key's current one, which
   * Redis's current balance does not include yet (docs/credits.md).
   */
  async chargeCredits(batchId: string, charges: CreditsCharge[]): Promise<CreditsCharge[]> {
    if (charges.length === 0) return [];
    const rows: Array<{ key_id: string; version: string; seed: string; amount: string }> = await this.dataSource.query(
      'SELECT key_id, version, seed, amount FROM keyward_charge_credits($1::uuid, $2::uuid[], $3::bigint[], $4::bigint[], $5::bigint[])',
      [batchId, charges.map((c) => c.keyId), charges.map((c) => c.version), charges.map((c) => c.seed), charges.map((c) => c.amount)],
    );
    return rows.map((row) => ({ keyId: row.key_id, version: Number(row.version), seed: Number(row.seed), amount: Number(row.amount) }));
  }

  /**
   * The durable balance of a key with credits, for seeding Redis's, with a new seed number; null
   * when the key has no credits (or is gone).
   */
  async seedCredits(tenantId: string, keyId: string): Promise<({ balance: number } & CreditsTag) | null> {
    const rows: Array<{ balance: string; version: string; seed: string }> = await this.dataSource.query(
      'SELECT balance, version, seed FROM keyward_seed_credits($1::uuid, $2::uuid)',
      [tenantId, keyId],
    );
    return rows.length === 0 ? null : { balance: Number(rows[0].balance), version: Number(rows[0].version), seed: Number(rows[0].seed) };
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
