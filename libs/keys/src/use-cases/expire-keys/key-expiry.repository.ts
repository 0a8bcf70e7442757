import type { TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface DueExpiry {
  tenantId: string;
  keyId: string;
  expiresAt: Date;
}

export interface DueWarnings {
  tenantId: string;
  keyId: string;
  /** The warning days (of the tenant's expiryWarningDays) whose window the key is in, not sent yet. */
  days: number[];
}

/** The key as its expiry is recorded: what key.expired announces. */
export interface RecordedExpiry {
  keyId: string;
  ownerId: string | null;
  name: string;
  expiresAt: Date;
}

/**
 * What the expiry job remembers (migration 1763910000001): each key's recorded expiry and each
 * warning sent. The cross-tenant scans go through SECURITY DEFINER functions; the recording runs
 * in the key's tenant transaction.
 */
@Injectable()
export class KeyExpiryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Keys of every tenant past an expiry not recorded yet, in (expiresAt, keyId) order after `after`. */
  async dueExpiries(after: { expiresAt: Date; keyId: string } | null, maxKeys: number): Promise<DueExpiry[]> {
    const rows: Array<{ tenant_id: string; key_id: string; expires_at: Date }> = await this.dataSource.query(
      'SELECT * FROM keyward_keys_due_for_expiry($1, $2, $3)',
      [after?.expiresAt ?? null, after?.keyId ?? null, maxKeys],
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, keyId: row.key_id, expiresAt: row.expires_at }));
  }

  /** Keys of every tenant with expiry warnings due, in keyId order after `afterKeyId`. */
  async dueWarnings(defaultDays: readonly number[], afterKeyId: string | null, maxKeys: number): Promise<DueWarnings[]> {
    const rows: Array<{ tenant_id: string; key_id: string; days: number[] }> = await this.dataSource.query(
      'SELECT * FROM keyward_expiry_warnings_due($1, $2, $3)',
      [[...defaultDays], afterKeyId, maxKeys],
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, keyId: row.key_id, days: row.days }));
  }

  /**
   * Marks the key's current expiry as recorded if it has passed and was not recorded yet; null
   * otherwise (recorded by another run meanwhile, revoked, or its expiry moved). The row lock the
   * UPDATE takes makes a concurrent run wait and then find nothing to do.
   */
  async recordExpiry(tx: TenantTx, keyId: string): Promise<RecordedExpiry | null> {
    const [rows]: [Array<{ id: string; owner_id: string | null; name: string; expires_at: Date }>, number] = await tx.manager.query(
      `UPDATE api_keys SET expiry_recorded_for = expires_at
        WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL AND expires_at <= now()
          AND expiry_recorded_for IS DISTINCT FROM expires_at
       RETURNING id, owner_id, name, expires_at`,
      [tx.tenantId, keyId],
    );
    const row = rows[0];
    return row ? { keyId: row.id, ownerId: row.owner_id, name: row.name, expiresAt: row.expires_at } : null;
  }

  /**
   * Records the warnings among `days` that are due for the key's current expiry and not recorded
   * yet, and answers those days: the primary key (key, expiry, days) lets each be recorded once,
   * however many runs race.
   */
  async recordWarnings(tx: TenantTx, keyId: string, days: number[]): Promise<Array<{ days: number; expiresAt: Date }>> {
    const rows: Array<{ days: number; expires_at: Date }> = await tx.manager.query(
      `INSERT INTO key_expiry_warnings (tenant_id, key_id, expires_at, days)
       SELECT k.tenant_id, k.id, k.expires_at, d.days
         FROM api_keys k CROSS JOIN unnest($3::integer[]) AS d (days)
        WHERE k.tenant_id = $1 AND k.id = $2 AND k.revoked_at IS NULL
          AND k.expires_at > now() AND k.expires_at <= now() + make_interval(days => d.days)
       ON CONFLICT DO NOTHING
       RETURNING days, expires_at`,
      [tx.tenantId, keyId, days],
    );
    return rows.map((row) => ({ days: row.days, expiresAt: row.expires_at })).sort((a, b) => b.days - a.days);
  }
}
