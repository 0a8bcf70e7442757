import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateByTenant } from './support/isolate-by-tenant';

/**
 * What the verify service writes back: usage counts per key, hour and code; lastUsedAt; and credit
 * balances. `credits_version` is bumped by every PATCH of `remaining`, and a write-back only lands
 * on the version it read, so no write-back queued before a PATCH can overwrite the new balance.
 * The writes go through two SECURITY DEFINER functions, one statement per flush for all tenants.
 */
export class VerifyCounters1763900000000 implements MigrationInterface {
  name = 'VerifyCounters1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN credits_version bigint NOT NULL DEFAULT 0`);

    await q.query(`
      CREATE TABLE key_usage (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        key_id uuid NOT NULL REFERENCES api_keys (id),
        hour timestamptz NOT NULL,
        code text NOT NULL,
        count bigint NOT NULL CHECK (count >= 0),
        PRIMARY KEY (key_id, hour, code)
      )`);
    await q.query(`CREATE INDEX key_usage_tenant_key_hour ON key_usage (tenant_id, key_id, hour)`);
    // Usage is written only through keyward_record_usage below.
    await isolateByTenant(q, 'key_usage', 'SELECT');

    await q.query(`
      CREATE FUNCTION keyward_record_usage(key_ids uuid[], hours timestamptz[], codes text[], counts bigint[],
                                           used_key_ids uuid[], used_at timestamptz[])
      RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        -- A data-modifying CTE always runs to completion, referenced or not.
        WITH counted AS (
          INSERT INTO key_usage (tenant_id, key_id, hour, code, count)
          SELECT k.tenant_id, u.key_id, u.hour, u.code, sum(u.count)
            FROM unnest(key_ids, hours, codes, counts) AS u (key_id, hour, code, count)
            JOIN api_keys k ON k.id = u.key_id
           GROUP BY k.tenant_id, u.key_id, u.hour, u.code
          ON CONFLICT (key_id, hour, code) DO UPDATE SET count = key_usage.count + excluded.count
        )
        UPDATE api_keys k SET last_used_at = GREATEST(k.last_used_at, l.used_at)
          FROM (SELECT key_id, max(used_at) AS used_at FROM unnest(used_key_ids, used_at) AS u (key_id, used_at) GROUP BY key_id) AS l
         WHERE k.id = l.key_id
      $$`);
    await q.query(`
      CREATE FUNCTION keyward_write_back_credits(key_ids uuid[], balances bigint[], versions bigint[])
      RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        UPDATE api_keys k SET remaining = GREATEST(c.balance, 0)
          FROM unnest(key_ids, balances, versions) AS c (key_id, balance, version)
         WHERE k.id = c.key_id AND k.credits_version = c.version AND k.remaining IS NOT NULL
      $$`);
    for (const fn of [
      'keyward_record_usage(uuid[], timestamptz[], text[], bigint[], uuid[], timestamptz[])',
      'keyward_write_back_credits(uuid[], bigint[], bigint[])',
    ]) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO keyward_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS keyward_write_back_credits(uuid[], bigint[], bigint[])`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_record_usage(uuid[], timestamptz[], text[], bigint[], uuid[], timestamptz[])`);
    await q.query(`DROP TABLE IF EXISTS key_usage`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN IF EXISTS credits_version`);
  }
}
