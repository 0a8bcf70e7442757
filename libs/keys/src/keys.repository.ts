import { decodeCursor, toPage, type Page, type TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { ApiKey, KeyMeta, KeyStatus, RotationSchedule } from './domain/api-key';
import { refillColumns, refillOf, type CreditRefill, type CreditsSetting } from './domain/credits';
import type { KeyEnvironment } from './domain/key-format';
import { v1RateLimit, type NamedRateLimit } from './domain/rate-limits';

interface KeyRow {
  id: string;
  tenant_id: string;
  name: string;
  owner_id: string | null;
  start: string;
  environment: KeyEnvironment;
  scopes: string[];
  roles: string[];
  meta: KeyMeta;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  rate_limits: NamedRateLimit[];
  remaining: string | null;
  refill_interval: CreditRefill['interval'] | null;
  refill_amount: string | null;
  refill_day_of_month: number | null;
  credits_period: string | null;
  refilled_at: Date | null;
  credits_version: string;
  credits_seed: string;
  ip_allowlist: string[] | null;
  rotation_interval_seconds: number | null;
  rotation_grace_period_seconds: number | null;
  previous_key_id: string | null;
}

const COLUMNS = `id, tenant_id, name, owner_id, start, environment, scopes, meta, enabled, created_at, updated_at, expires_at,
  revoked_at, last_used_at, rate_limits, remaining, ip_allowlist, rotation_interval_seconds,
  rotation_grace_period_seconds, previous_key_id, credits_version, credits_seed, refill_interval, refill_amount,
  refill_day_of_month, credits_period, refilled_at, roles`;

/** The key status of docs/api.md (Keys) in SQL, for the list filter; keyStatus() is the same rule in code. */
const STATUS_SQL = `CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN expires_at <= now() THEN 'expired'
  WHEN NOT enabled THEN 'disabled' ELSE 'active' END`;

function toKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    ownerId: row.owner_id,
    start: row.start,
    environment: row.environment,
    scopes: row.scopes,
    roles: row.roles,
    meta: row.meta,
    enabled: row.enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    rateLimits: row.rate_limits,
    rateLimit: v1RateLimit(row.rate_limits),
    remaining: row.remaining !== null ? Number(row.remaining) : null,
    creditsRefill: refillOf(row),
    creditsPeriod: row.credits_period !== null ? Number(row.credits_period) : null,
    refilledAt: row.refilled_at,
    creditsVersion: Number(row.credits_version),
    creditsSeed: Number(row.credits_seed),
    ipAllowlist: row.ip_allowlist,
    rotation:
      row.rotation_interval_seconds !== null
        ? { intervalSeconds: row.rotation_interval_seconds, gracePeriodSeconds: row.rotation_grace_period_seconds! }
        : null,
    previousKeyId: row.previous_key_id,
  };
}

export interface NewKey {
  name: string;
  ownerId: string | null;
  keyHash: Buffer;
  start: string;
  environment: KeyEnvironment;
  scopes: string[];
  roles: string[];
  meta: KeyMeta;
  expiresAt: Date | null;
  rateLimits: NamedRateLimit[];
  credits: CreditsSetting;
  ipAllowlist: string[] | null;
  rotation: RotationSchedule | null;
  previousKeyId: string | null;
}

/** The fields PATCH may change; an absent field is left as it is. */
export interface KeyChanges {
  name?: string;
  scopes?: string[];
  roles?: string[];
  meta?: KeyMeta;
  expiresAt?: Date | null;
  rateLimits?: NamedRateLimit[];
  /** The credits as they are to be: a new balance, version and period (docs/credits.md). */
  credits?: CreditsSetting;
  ipAllowlist?: string[] | null;
  rotation?: RotationSchedule | null;
  enabled?: boolean;
}

export interface KeyListFilter {
  ownerId?: string;
  status?: KeyStatus;
  limit: number;
  cursor?: string;
}

@Injectable()
export class KeysRepository {
  async insert(tx: TenantTx, key: NewKey): Promise<ApiKey> {
    const [row]: KeyRow[] = await tx.manager.query(
      `INSERT INTO api_keys (tenant_id, name, owner_id, key_hash, start, environment, scopes, meta, expires_at, rate_limits,
                             remaining, ip_allowlist, rotation_interval_seconds, rotation_grace_period_seconds,
                             previous_key_id, refill_interval, refill_amount, refill_day_of_month, credits_period, roles)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
       RETURNING ${COLUMNS}`,
      [
        tx.tenantId,
        key.name,
        key.ownerId,
        key.keyHash,
        key.start,
        key.environment,
        key.scopes,
        JSON.stringify(key.meta),
        key.expiresAt,
        JSON.stringify(key.rateLimits),
        key.credits.remaining,
        key.ipAllowlist,
        key.rotation?.intervalSeconds ?? null,
        key.rotation?.gracePeriodSeconds ?? null,
        key.previousKeyId,
        ...refillColumns(key.credits.refill),
        key.credits.period,
        key.roles,
      ],
    );
    return toKey(row);
  }

  /** The key, locked for update when `forUpdate` (rotation, patch and revoke serialise on it). */
  async findById(tx: TenantTx, id: string, options: { forUpdate?: boolean } = {}): Promise<ApiKey | null> {
    const rows: KeyRow[] = await tx.manager.query(
      `SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 AND id = $2${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [tx.tenantId, id],
    );
    return rows[0] ? toKey(rows[0]) : null;
  }

  /** The tenant's keys of these ids, locked for update in id order (so that two batches cannot deadlock). */
  async findAllByIdForUpdate(tx: TenantTx, ids: readonly string[]): Promise<ApiKey[]> {
    const rows: KeyRow[] = await tx.manager.query(
      `SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 AND id = ANY ($2::uuid[]) ORDER BY id FOR UPDATE`,
      [tx.tenantId, ids],
    );
    return rows.map(toKey);
  }

  /** The tenant's key with this keyed hash; another tenant's key is simply not found (RLS too). */
  async findByHash(tx: TenantTx, keyHash: Buffer): Promise<ApiKey | null> {
    const rows: KeyRow[] = await tx.manager.query(`SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 AND key_hash = $2`, [
      tx.tenantId,
      keyHash,
    ]);
    return rows[0] ? toKey(rows[0]) : null;
  }

  async hasSuccessor(tx: TenantTx, id: string): Promise<boolean> {
    const rows: unknown[] = await tx.manager.query(`SELECT 1 FROM api_keys WHERE tenant_id = $1 AND previous_key_id = $2`, [
      tx.tenantId,
      id,
    ]);
    return rows.length > 0;
  }

  async list(tx: TenantTx, filter: KeyListFilter): Promise<Page<ApiKey>> {
    const conditions = ['tenant_id = $1'];
    const params: unknown[] = [tx.tenantId];
    if (filter.ownerId !== undefined) {
      params.push(filter.ownerId);
      conditions.push(`owner_id = $${params.length}`);
    }
    if (filter.status !== undefined) {
      params.push(filter.status);
      conditions.push(`${STATUS_SQL} = $${params.length}`);
    }
    if (filter.cursor) {
      const after = decodeCursor(filter.cursor);
      params.push(after.createdAt, after.id);
      conditions.push(`(created_at, id) > ($${params.length - 1}, $${params.length})`);
    }
    params.push(filter.limit + 1);
    const rows: KeyRow[] = await tx.manager.query(
      `SELECT ${COLUMNS} FROM api_keys WHERE ${conditions.join(' AND ')} ORDER BY created_at, id LIMIT $${params.length}`,
      params,
    );
    return toPage(rows.map(toKey), filter.limit);
  }

  async markRevoked(tx: TenantTx, id: string): Promise<ApiKey> {
    return this.returning(tx, `UPDATE api_keys SET revoked_at = now(), updated_at = now() WHERE tenant_id = $1 AND id = $2`, [
      tx.tenantId,
      id,
    ]);
  }

  /** Revokes (`revoked`) or disables (`disabled`) these keys in one statement; answers them as they now are. */
  async markAll(tx: TenantTx, ids: readonly string[], state: 'revoked' | 'disabled'): Promise<ApiKey[]> {
    if (ids.length === 0) return [];
    const set = state === 'revoked' ? 'revoked_at = now()' : 'enabled = false';
    const [rows]: [KeyRow[], number] = await tx.manager.query(
      `UPDATE api_keys SET ${set}, updated_at = now() WHERE tenant_id = $1 AND id = ANY ($2::uuid[]) RETURNING ${COLUMNS}`,
      [tx.tenantId, ids],
    );
    return rows.map(toKey);
  }

  async update(tx: TenantTx, id: string, changes: KeyChanges): Promise<ApiKey> {
    const sets: string[] = ['updated_at = now()'];
    const params: unknown[] = [tx.tenantId, id];
    const set = (column: string, value: unknown): void => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (changes.name !== undefined) set('name', changes.name);
    if (changes.scopes !== undefined) set('scopes', changes.scopes);
    if (changes.roles !== undefined) set('roles', changes.roles);
    if (changes.meta !== undefined) set('meta', JSON.stringify(changes.meta));
    if (changes.expiresAt !== undefined) set('expires_at', changes.expiresAt);
    if (changes.rateLimits !== undefined) set('rate_limits', JSON.stringify(changes.rateLimits));
    if (changes.credits !== undefined) {
      // A change of credits replaces the balance: charges against the one it replaces are dropped.
      const [interval, amount, dayOfMonth] = refillColumns(changes.credits.refill);
      set('remaining', changes.credits.remaining);
      set('refill_interval', interval);
      set('refill_amount', amount);
      set('refill_day_of_month', dayOfMonth);
      set('credits_period', changes.credits.period);
      sets.push('credits_version = credits_version + 1');
    }
    if (changes.ipAllowlist !== undefined) set('ip_allowlist', changes.ipAllowlist);
    if (changes.rotation !== undefined) {
      set('rotation_interval_seconds', changes.rotation?.intervalSeconds ?? null);
      set('rotation_grace_period_seconds', changes.rotation?.gracePeriodSeconds ?? null);
    }
    if (changes.enabled !== undefined) set('enabled', changes.enabled);
    return this.returning(tx, `UPDATE api_keys SET ${sets.join(', ')} WHERE tenant_id = $1 AND id = $2`, params);
  }

  /** Runs an UPDATE of one key and returns the key as it now is (TypeORM answers [rows, count]). */
  private async returning(tx: TenantTx, update: string, params: unknown[]): Promise<ApiKey> {
    const [rows]: [KeyRow[], number] = await tx.manager.query(`${update} RETURNING ${COLUMNS}`, params);
    return toKey(rows[0]);
  }
}
