import type { UnusedKeyAction } from '@keyward/policy';
import type { TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { UnusedKeyOutcome } from './unused-key-policy';
import type { UnusedKeyReport, UnusedKeyReportEntry } from './unused-key-report';

/** A key found unused, with the flag of its current idle period if it has one. */
export interface UnusedKeyCandidate {
  id: string;
  name: string;
  ownerId: string | null;
  enabled: boolean;
  lastUsedAt: Date | null;
  createdAt: Date;
  flag: UnusedKeyFlag | null;
}

export interface UnusedKeyFlag {
  action: UnusedKeyOutcome;
  flaggedAt: Date;
}

/** How many reports each tenant keeps: the latest is served, the few before it show the trend. */
export const REPORTS_KEPT = 30;

/**
 * The unused-key audit's storage (migration 1763910000001): the flags that make each key flagged
 * once per idle period, and the reports. Tenant data goes through the tenant's transaction; only
 * the list of tenants to audit comes from a SECURITY DEFINER function.
 */
@Injectable()
export class UnusedKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Tenants whose policy sets unusedKeyDays, suspended ones excepted. */
  async tenantsToAudit(): Promise<string[]> {
    const rows: Array<{ tenant_id: string }> = await this.dataSource.query('SELECT * FROM keyward_tenants_with_unused_key_audit()');
    return rows.map((row) => row.tenant_id);
  }

  /** The tenant's keys, neither revoked nor expired, idle for `thresholdDays` or more (PostgreSQL's clock). */
  async candidates(tx: TenantTx, thresholdDays: number): Promise<UnusedKeyCandidate[]> {
    const rows: Array<{
      id: string;
      name: string;
      owner_id: string | null;
      enabled: boolean;
      last_used_at: Date | null;
      created_at: Date;
      flag_action: UnusedKeyOutcome | null;
      flagged_at: Date | null;
    }> = await tx.manager.query(
      `SELECT k.id, k.name, k.owner_id, k.enabled, k.last_used_at, k.created_at, f.action AS flag_action, f.flagged_at
         FROM api_keys k
         LEFT JOIN unused_key_flags f ON f.key_id = k.id AND f.idle_since = coalesce(k.last_used_at, k.created_at)
        WHERE k.tenant_id = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
          AND coalesce(k.last_used_at, k.created_at) <= now() - make_interval(days => $2)
        ORDER BY k.created_at, k.id`,
      [tx.tenantId, thresholdDays],
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      ownerId: row.owner_id,
      enabled: row.enabled,
      lastUsedAt: row.last_used_at,
      createdAt: row.created_at,
      flag: row.flag_action && row.flagged_at ? { action: row.flag_action, flaggedAt: row.flagged_at } : null,
    }));
  }

  /** The flag of the key's idle period that began at `idleSince`; call with the key's row locked. */
  async findFlag(tx: TenantTx, keyId: string, idleSince: Date): Promise<UnusedKeyFlag | null> {
    const rows: Array<{ action: UnusedKeyOutcome; flagged_at: Date }> = await tx.manager.query(
      `SELECT action, flagged_at FROM unused_key_flags WHERE tenant_id = $1 AND key_id = $2 AND idle_since = $3`,
      [tx.tenantId, keyId, idleSince],
    );
    return rows[0] ? { action: rows[0].action, flaggedAt: rows[0].flagged_at } : null;
  }

  async insertFlag(
    tx: TenantTx,
    flag: { keyId: string; idleSince: Date; thresholdDays: number; action: UnusedKeyOutcome },
  ): Promise<UnusedKeyFlag> {
    const [row]: Array<{ action: UnusedKeyOutcome; flagged_at: Date }> = await tx.manager.query(
      `INSERT INTO unused_key_flags (tenant_id, key_id, idle_since, threshold_days, action) VALUES ($1, $2, $3, $4, $5)
       RETURNING action, flagged_at`,
      [tx.tenantId, flag.keyId, flag.idleSince, flag.thresholdDays, flag.action],
    );
    return { action: row.action, flaggedAt: row.flagged_at };
  }

  async escalateFlag(tx: TenantTx, keyId: string, idleSince: Date, action: UnusedKeyOutcome): Promise<void> {
    await tx.manager.query(`UPDATE unused_key_flags SET action = $4 WHERE tenant_id = $1 AND key_id = $2 AND idle_since = $3`, [
      tx.tenantId,
      keyId,
      idleSince,
      action,
    ]);
  }

  /** Stores the run's report and drops the tenant's reports beyond the latest REPORTS_KEPT. */
  async saveReport(tx: TenantTx, report: UnusedKeyReport): Promise<void> {
    await tx.manager.query(
      `INSERT INTO unused_key_reports (tenant_id, generated_at, threshold_days, action, keys) VALUES ($1, $2, $3, $4, $5)`,
      [tx.tenantId, report.generatedAt, report.thresholdDays, report.action, JSON.stringify(report.keys)],
    );
    await tx.manager.query(
      `DELETE FROM unused_key_reports
        WHERE tenant_id = $1
          AND id NOT IN (SELECT id FROM unused_key_reports WHERE tenant_id = $1 ORDER BY generated_at DESC, id LIMIT $2)`,
      [tx.tenantId, REPORTS_KEPT],
    );
  }

  async latestReport(tx: TenantTx): Promise<UnusedKeyReport | null> {
    const rows: Array<{ generated_at: Date; threshold_days: number; action: UnusedKeyAction; keys: UnusedKeyReportEntry[] }> =
      await tx.manager.query(
        `SELECT generated_at, threshold_days, action, keys FROM unused_key_reports
        WHERE tenant_id = $1 ORDER BY generated_at DESC, id LIMIT 1`,
        [tx.tenantId],
      );
    const row = rows[0];
    return row ? { generatedAt: row.generated_at, thresholdDays: row.threshold_days, action: row.action, keys: row.keys } : null;
  }
}
