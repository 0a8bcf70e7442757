import type { TenantTx } from '@keyward/platform';
import type { UsageSignalType } from '@keyward/webhooks';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface SignalCandidate {
  tenantId: string;
  keyId: string;
}

/** A signal of a key (or owner, by its row id) for an hour: what signal_state holds once it is sent. */
export interface SignalSubject {
  subjectId: string;
  hour: Date;
}

export interface HourlyCount extends SignalSubject {
  count: number;
}

export interface UsageSpike extends HourlyCount {
  averageHourly: number;
}

export interface LimitPeak extends SignalSubject {
  scope: 'key' | 'owner';
  limitName: string;
  percentUsed: number;
}

export interface NewSource extends SignalSubject {
  network: string;
  seenAt: Date;
}

export interface LowCredits {
  subjectId: string;
  keyId: string | null;
  ownerId: string | null;
  name: string | null;
  remaining: number;
  reference: number;
}

export interface SignalledKey {
  keyId: string;
  ownerId: string | null;
  name: string;
}

/**
 * What the signals job reads (migration 1766400000000): verify's hourly counts, limit peaks and
 * networks, and the stored balances; every read but the cross-tenant list of candidates runs in
 * the tenant's transaction, over that tenant's candidate keys at once.
 */
@Injectable()
export class UsageSignalsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The keys of every tenant with usage, peaks or new networks since `since`, in (tenant, key) order after `after`. */
  async candidates(since: Date, after: SignalCandidate | null, maxRows: number): Promise<SignalCandidate[]> {
    const rows: Array<{ tenant_id: string; key_id: string }> = await this.dataSource.query(
      'SELECT * FROM keyward_signal_candidates($1, $2, $3, $4)',
      [since, after?.tenantId ?? null, after?.keyId ?? null, maxRows],
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, keyId: row.key_id }));
  }

  /** Deletes (a batch of) what no signal needs any more: state and peaks of hours before `before`, networks unseen for 30 days. */
  async prune(before: Date, batch: number): Promise<number> {
    const [row]: Array<{ removed: string }> = await this.dataSource.query('SELECT keyward_prune_signal_facts($1, $2) AS removed', [
      before,
      batch,
    ]);
    return Number(row.removed);
  }

  /** Per key and hour since `since`, its RATE_LIMITED answers so far. */
  async rateLimited(tx: TenantTx, keyIds: string[], since: Date): Promise<HourlyCount[]> {
    const rows: Array<{ key_id: string; hour: Date; count: string }> = await tx.manager.query(
      `SELECT key_id, hour, count FROM key_usage
        WHERE tenant_id = $1 AND key_id = ANY ($2) AND hour >= $3 AND code = 'RATE_LIMITED' AND count > 0`,
      [tx.tenantId, keyIds, since],
    );
    return rows.map((row) => ({ subjectId: row.key_id, hour: row.hour, count: Number(row.count) }));
  }

  /**
   * Per key and hour since `since`, its verifications (every code) when they exceed `factor` times
   * its average hourly count over the 7 days before that hour and are at least `minimum`. Only the
   * hours with at least `minimum` read the 7 days before them.
   */
  async usageSpikes(tx: TenantTx, keyIds: string[], since: Date, factor: number, minimum: number): Promise<UsageSpike[]> {
    const rows: Array<{ key_id: string; hour: Date; count: string; average: string }> = await tx.manager.query(
      `SELECT c.key_id, c.hour, c.count, COALESCE(p.total, 0) / 168.0 AS average
         FROM (SELECT key_id, hour, sum(count) AS count FROM key_usage
                WHERE tenant_id = $1 AND key_id = ANY ($2) AND hour >= $3
                GROUP BY key_id, hour HAVING sum(count) >= $5) AS c
         LEFT JOIN LATERAL (
           SELECT sum(u.count) AS total FROM key_usage u
            WHERE u.tenant_id = $1 AND u.key_id = c.key_id AND u.hour >= c.hour - interval '7 days' AND u.hour < c.hour
         ) AS p ON true
        WHERE c.count > $4 * COALESCE(p.total, 0) / 168.0`,
      [tx.tenantId, keyIds, since, factor, minimum],
    );
    return rows.map((row) => ({
      subjectId: row.key_id,
      hour: row.hour,
      count: Number(row.count),
      averageHourly: Math.round(Number(row.average) * 100) / 100,
    }));
  }

  /** Per key and hour since `since`, its limit window most used, when at least `percent` used. */
  async limitPeaks(tx: TenantTx, keyIds: string[], since: Date, percent: number): Promise<LimitPeak[]> {
    const rows: Array<{ key_id: string; hour: Date; scope: 'key' | 'owner'; limit_name: string; peak_percent: number }> =
      await tx.manager.query(
        `SELECT DISTINCT ON (key_id, hour) key_id, hour, scope, limit_name, peak_percent FROM key_limit_peaks
          WHERE tenant_id = $1 AND key_id = ANY ($2) AND hour >= $3 AND peak_percent >= $4
          ORDER BY key_id, hour, peak_percent DESC, scope, limit_name`,
        [tx.tenantId, keyIds, since, percent],
      );
    return rows.map((row) => ({
      subjectId: row.key_id,
      hour: row.hour,
      scope: row.scope,
      limitName: row.limit_name,
      percentUsed: row.peak_percent,
    }));
  }

  /**
   * Per key and hour since `since`, the first network new to it that hour (unseen for 30 days), of
   * keys in use (a VALID verification) for at least 24 hours before.
   */
  async newSources(tx: TenantTx, keyIds: string[], since: Date): Promise<NewSource[]> {
    const rows: Array<{ key_id: string; hour: Date; network: string; new_at: Date }> = await tx.manager.query(
      `SELECT DISTINCT ON (n.key_id, date_trunc('hour', n.new_at)) n.key_id, date_trunc('hour', n.new_at) AS hour,
              n.network::text AS network, n.new_at
         FROM key_networks n
        WHERE n.tenant_id = $1 AND n.key_id = ANY ($2) AND n.new_at >= $3
          AND EXISTS (SELECT 1 FROM key_usage u
                       WHERE u.tenant_id = $1 AND u.key_id = n.key_id AND u.code = 'VALID'
                         AND u.hour + interval '1 hour' <= n.new_at - interval '24 hours')
        ORDER BY n.key_id, date_trunc('hour', n.new_at), n.new_at, n.network`,
      [tx.tenantId, keyIds, since],
    );
    return rows.map((row) => ({ subjectId: row.key_id, hour: row.hour, network: row.network, seenAt: row.new_at }));
  }

  /**
   * The keys among `keyIds`, and the owners of any of them, whose balance is at most `percent`
   * percent of its refill amount or, without refills, of the largest balance it has held.
   */
  async lowCredits(tx: TenantTx, keyIds: string[], percent: number): Promise<LowCredits[]> {
    const rows: Array<{
      subject_id: string;
      key_id: string | null;
      owner_id: string | null;
      name: string | null;
      remaining: string;
      reference: string;
    }> = await tx.manager.query(
      `SELECT k.id AS subject_id, k.id AS key_id, k.owner_id, k.name, k.remaining,
              COALESCE(k.refill_amount, k.credits_max) AS reference
         FROM api_keys k
        WHERE k.tenant_id = $1 AND k.id = ANY ($2) AND k.revoked_at IS NULL AND k.remaining IS NOT NULL
          AND COALESCE(k.refill_amount, k.credits_max) > 0 AND k.remaining * 100 <= $3 * COALESCE(k.refill_amount, k.credits_max)
       UNION ALL
       SELECT o.id, NULL, o.owner_id, o.name, o.remaining, COALESCE(o.refill_amount, o.credits_max)
         FROM owners o
        WHERE o.tenant_id = $1 AND o.remaining IS NOT NULL
          AND o.owner_id IN (SELECT owner_id FROM api_keys WHERE tenant_id = $1 AND id = ANY ($2))
          AND COALESCE(o.refill_amount, o.credits_max) > 0 AND o.remaining * 100 <= $3 * COALESCE(o.refill_amount, o.credits_max)`,
      [tx.tenantId, keyIds, percent],
    );
    return rows.map((row) => ({
      subjectId: row.subject_id,
      keyId: row.key_id,
      ownerId: row.owner_id,
      name: row.name,
      remaining: Number(row.remaining),
      reference: Number(row.reference),
    }));
  }

  async keys(tx: TenantTx, keyIds: string[]): Promise<Map<string, SignalledKey>> {
    const rows: Array<{ id: string; owner_id: string | null; name: string }> = await tx.manager.query(
      'SELECT id, owner_id, name FROM api_keys WHERE tenant_id = $1 AND id = ANY ($2)',
      [tx.tenantId, keyIds],
    );
    return new Map(rows.map((row) => [row.id, { keyId: row.id, ownerId: row.owner_id, name: row.name }]));
  }

  /**
   * Records `subjects` as sent for `type` and answers those recorded now: one already there (sent
   * by an earlier run, or by a concurrent one, whose commit this waits for) is left out.
   */
  async claim<T extends SignalSubject>(tx: TenantTx, type: UsageSignalType, decided: T[]): Promise<T[]> {
    if (decided.length === 0) return [];
    // In one order whoever claims: two runs racing wait for each other on the same row first, never in a cycle.
    const subjects = [...decided].sort((a, b) => a.subjectId.localeCompare(b.subjectId) || a.hour.getTime() - b.hour.getTime());
    const rows: Array<{ subject_id: string; hour: Date }> = await tx.manager.query(
      `INSERT INTO signal_state (tenant_id, subject_id, type, hour)
       SELECT $1, s.subject_id, $2, s.hour FROM unnest($3::uuid[], $4::timestamptz[]) AS s (subject_id, hour)
       ON CONFLICT DO NOTHING
       RETURNING subject_id, hour`,
      [tx.tenantId, type, subjects.map((s) => s.subjectId), subjects.map((s) => s.hour)],
    );
    const claimed = new Set(rows.map((row) => `${row.subject_id}|${row.hour.getTime()}`));
    return subjects.filter((s) => claimed.has(`${s.subjectId}|${s.hour.getTime()}`));
  }
}
