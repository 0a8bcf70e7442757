import { decodeCursor, toPage, type Page, type TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { refillColumns, refillOf, type CreditsSetting, type RefillRow } from '../domain/credits';
import type { Owner } from '../domain/owner';
import type { NamedRateLimit } from '../domain/rate-limits';

interface OwnerRow extends RefillRow {
  id: string;
  tenant_id: string;
  owner_id: string;
  name: string | null;
  meta: Record<string, unknown>;
  rate_limits: NamedRateLimit[];
  remaining: string | null;
  credits_version: string;
  credits_seed: string;
  credits_period: string | null;
  refilled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, tenant_id, owner_id, name, meta, rate_limits, remaining, credits_version, credits_seed, refill_interval,
  refill_amount, refill_day_of_month, credits_period, refilled_at, created_at, updated_at`;

function toOwner(row: OwnerRow): Owner {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    ownerId: row.owner_id,
    name: row.name,
    meta: row.meta,
    rateLimits: row.rate_limits,
    remaining: row.remaining === null ? null : Number(row.remaining),
    creditsVersion: Number(row.credits_version),
    creditsSeed: Number(row.credits_seed),
    creditsRefill: refillOf(row),
    creditsPeriod: row.credits_period === null ? null : Number(row.credits_period),
    refilledAt: row.refilled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** An owner's settings as a PUT sets them. */
export interface OwnerSettings {
  name: string | null;
  meta: Record<string, unknown>;
  rateLimits: NamedRateLimit[];
  /** Written (and the credits version bumped) only when given: a PUT that keeps the credits keeps their balance. */
  credits?: CreditsSetting;
}

@Injectable()
export class OwnersRepository {
  async find(tx: TenantTx, ownerId: string, options: { forUpdate?: boolean } = {}): Promise<Owner | null> {
    const rows: OwnerRow[] = await tx.manager.query(
      `SELECT ${COLUMNS} FROM owners WHERE tenant_id = $1 AND owner_id = $2${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [tx.tenantId, ownerId],
    );
    return rows[0] ? toOwner(rows[0]) : null;
  }

  async insert(tx: TenantTx, ownerId: string, settings: OwnerSettings): Promise<Owner> {
    const credits = settings.credits ?? { remaining: null, refill: null, period: null };
    const [row]: OwnerRow[] = await tx.manager.query(
      `INSERT INTO owners (tenant_id, owner_id, name, meta, rate_limits, remaining, refill_interval, refill_amount,
                           refill_day_of_month, credits_period)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
      [
        tx.tenantId,
        ownerId,
        settings.name,
        JSON.stringify(settings.meta),
        JSON.stringify(settings.rateLimits),
        credits.remaining,
        ...refillColumns(credits.refill),
        credits.period,
      ],
    );
    return toOwner(row);
  }

  async replace(tx: TenantTx, id: string, settings: OwnerSettings): Promise<Owner> {
    const params: unknown[] = [tx.tenantId, id, settings.name, JSON.stringify(settings.meta), JSON.stringify(settings.rateLimits)];
    let creditSets = '';
    if (settings.credits) {
      params.push(settings.credits.remaining, ...refillColumns(settings.credits.refill), settings.credits.period);
      creditSets = `, remaining = $6, refill_interval = $7, refill_amount = $8, refill_day_of_month = $9, credits_period = $10,
                     credits_version = credits_version + 1`;
    }
    const [rows]: [OwnerRow[], number] = await tx.manager.query(
      `UPDATE owners SET name = $3, meta = $4, rate_limits = $5, updated_at = now()${creditSets}
        WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      params,
    );
    return toOwner(rows[0]);
  }

  async delete(tx: TenantTx, id: string): Promise<void> {
    await tx.manager.query(`DELETE FROM owners WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
  }

  async list(tx: TenantTx, page: { limit: number; cursor?: string }): Promise<Page<Owner>> {
    const params: unknown[] = [tx.tenantId];
    let after = '';
    if (page.cursor) {
      const cursor = decodeCursor(page.cursor);
      params.push(cursor.createdAt, cursor.id);
      after = ' AND (created_at, id) > ($2, $3)';
    }
    params.push(page.limit + 1);
    const rows: OwnerRow[] = await tx.manager.query(
      `SELECT ${COLUMNS} FROM owners WHERE tenant_id = $1${after} ORDER BY created_at, id LIMIT $${params.length}`,
      params,
    );
    return toPage(rows.map(toOwner), page.limit);
  }

  /** How many keys that are not revoked carry each of these owner ids. */
  async keyCounts(tx: TenantTx, ownerIds: string[]): Promise<Map<string, number>> {
    const rows: Array<{ owner_id: string; count: string }> = await tx.manager.query(
      `SELECT owner_id, count(*)::text AS count FROM api_keys
        WHERE tenant_id = $1 AND owner_id = ANY($2) AND revoked_at IS NULL GROUP BY owner_id`,
      [tx.tenantId, ownerIds],
    );
    return new Map(rows.map((row) => [row.owner_id, Number(row.count)]));
  }
}
