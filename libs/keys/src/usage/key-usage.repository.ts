import type { TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CreditsCharge, CreditsTag, PoolRef } from '../counters/key-counters';

export interface UsageCount {
  keyId: string;
  /** Start of the hour, epoch ms. */
  hour: number;
  code: string;
  count: number;
}

/** A key's most used window of a limit in an hour so far (key.limit_near; docs/api.md, Usage signals). */
export interface LimitPeakFact {
  keyId: string;
  /** Start of the hour, epoch ms. */
  hour: number;
  scope: 'key' | 'owner';
  limitName: string;
  percentUsed: number;
}

/** A network (CIDR) a key was verified VALID from (key.new_source), and when. */
export interface NetworkFact {
  keyId: string;
  network: string;
  at: number;
}

/** What a usage flush records for the usage signals, in the statement of its counts. */
export interface SignalFacts {
  peaks: LimitPeakFact[];
  networks: NetworkFact[];
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

  /** One statement, with the signal facts too when there are any: no round trip of their own. */
  async record(
    counts: UsageCount[],
    lastUsed: Array<{ keyId: string; at: number }>,
    facts: SignalFacts = { peaks: [], networks: [] },
  ): Promise<void> {
    const usage = [
      counts.map((c) => c.keyId),
      counts.map((c) => new Date(c.hour)),
      counts.map((c) => c.code),
      counts.map((c) => c.count),
      lastUsed.map((l) => l.keyId),
      lastUsed.map((l) => new Date(l.at)),
    ];
    const recordUsage = 'keyward_record_usage($1::uuid[], $2::timestamptz[], $3::text[], $4::bigint[], $5::uuid[], $6::timestamptz[])';
    if (facts.peaks.length === 0 && facts.networks.length === 0) {
      await this.dataSource.query(`SELECT ${recordUsage}`, usage);
      return;
    }
    const { peaks, networks } = facts;
    await this.dataSource.query(
      `SELECT ${recordUsage},
              keyward_record_signal_facts($7::uuid[], $8::timestamptz[], $9::text[], $10::text[], $11::smallint[],
                                          $12::uuid[], $13::text[], $14::timestamptz[])`,
      [
        ...usage,
        peaks.map((p) => p.keyId),
        peaks.map((p) => new Date(p.hour)),
        peaks.map((p) => p.scope),
        peaks.map((p) => p.limitName),
        peaks.map((p) => p.percentUsed),
        networks.map((n) => n.keyId),
        networks.map((n) => n.network),
        networks.map((n) => new Date(n.at)),
      ],
    );
  }

  /**
   * Writes back one batch of charged credits (amounts per pool, version, seed and refill period), at
   * most once per `batchId`. Returns the charges made against an older seed than the pool's current
   * one, which Redis's current balance does not include yet (docs/credits.md). With `tx`, in that
   * transaction (a change of credits through the API, audited with it).
   */
  async chargeCredits(batchId: string, charges: CreditsCharge[], tx?: TenantTx): Promise<CreditsCharge[]> {
    if (charges.length === 0) return [];
    const rows: Array<{ kind: PoolRef['kind']; id: string; version: string; seed: string; period: string; amount: string }> = await (
      tx?.manager ?? this.dataSource
    ).query(
      `SELECT kind, id, version, seed, period, amount
           FROM keyward_charge_pools($1::uuid, $2::text[], $3::uuid[], $4::bigint[], $5::bigint[], $6::bigint[], $7::timestamptz[], $8::bigint[])`,
      [
        batchId,
        charges.map((c) => c.pool.kind),
        charges.map((c) => c.pool.id),
        charges.map((c) => c.version),
        charges.map((c) => c.seed),
        charges.map((c) => c.period),
        charges.map((c) => c.periodStart),
        charges.map((c) => c.amount),
      ],
    );
    return rows.map((row) => {
      const charged = charges.find((c) => c.pool.id === row.id && c.pool.kind === row.kind);
      return {
        pool: { kind: row.kind, id: row.id },
        version: Number(row.version),
        seed: Number(row.seed),
        period: Number(row.period),
        periodStart: charged?.periodStart ?? null,
        amount: Number(row.amount),
      };
    });
  }

  /**
   * The durable balance of a pool with credits, for seeding Redis's, with a new seed number; null
   * when it has no credits (or is gone).
   */
  async seedCredits(tenantId: string, pool: PoolRef): Promise<({ balance: number } & CreditsTag) | null> {
    const rows: Array<{ balance: string; version: string; seed: string; period: string | null }> = await this.dataSource.query(
      'SELECT balance, version, seed, period FROM keyward_seed_pool($1::uuid, $2::text, $3::uuid)',
      [tenantId, pool.kind, pool.id],
    );
    if (rows.length === 0) return null;
    const [row] = rows;
    return {
      balance: Number(row.balance),
      version: Number(row.version),
      seed: Number(row.seed),
      period: row.period === null ? -1 : Number(row.period),
    };
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
