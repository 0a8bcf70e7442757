import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateByTenant } from './support/isolate-by-tenant';

const CREDIT_COLUMNS = `
  remaining bigint CHECK (remaining >= 0),
  credits_version bigint NOT NULL DEFAULT 0,
  credits_seed bigint NOT NULL DEFAULT 0,
  refill_interval text CHECK (refill_interval IN ('daily', 'monthly')),
  refill_amount bigint CHECK (refill_amount >= 0),
  refill_day_of_month smallint CHECK (refill_day_of_month BETWEEN 1 AND 31),
  credits_period bigint,
  refilled_at timestamptz(3)`;

/**
 * Key model v2 (docs/credits.md, docs/api.md: Owners, Rate limits):
 *
 * - `rate_limits`: the named limits of a key, the v1 limit among them as the one named `key`.
 * - Credit refills: `refill_*`, and `credits_period`, the refill period the stored balance belongs
 *   to. A write-back tagged with a later period applies that refill first; one tagged with an
 *   earlier period was charged against a balance a refill has since replaced, and is dropped.
 * - `owners`: a tenant's customers, with limits and credits shared by every key of that owner id.
 *   An owner's credit pool is addressed by the row's uuid, so that one deleted and made again
 *   starts from its own balance.
 * - One seed function and one write-back function for both kinds of pool.
 */
export class KeyModelV21765500000000 implements MigrationInterface {
  name = 'KeyModelV21765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN rate_limits jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`
      UPDATE api_keys SET rate_limits = jsonb_build_array(jsonb_build_object(
        'name', 'key', 'limit', rate_limit, 'windowSeconds', rate_limit_window_seconds, 'algorithm', 'fixed', 'apply', 'always'))
       WHERE rate_limit IS NOT NULL`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN rate_limit, DROP COLUMN rate_limit_window_seconds`);
    await q.query(`
      ALTER TABLE api_keys
        ADD COLUMN refill_interval text CHECK (refill_interval IN ('daily', 'monthly')),
        ADD COLUMN refill_amount bigint CHECK (refill_amount >= 0),
        ADD COLUMN refill_day_of_month smallint CHECK (refill_day_of_month BETWEEN 1 AND 31),
        ADD COLUMN credits_period bigint,
        ADD COLUMN refilled_at timestamptz(3)`);

    await q.query(`
      CREATE TABLE owners (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        owner_id text NOT NULL CHECK (char_length(owner_id) BETWEEN 1 AND 200),
        name text,
        meta jsonb NOT NULL DEFAULT '{}',
        rate_limits jsonb NOT NULL DEFAULT '[]',
        ${CREDIT_COLUMNS},
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, owner_id)
      )`);
    await q.query(`CREATE INDEX owners_tenant_created ON owners (tenant_id, created_at, id)`);
    await isolateByTenant(q, 'owners', 'SELECT, INSERT, UPDATE, DELETE');

    await q.query(`DROP FUNCTION IF EXISTS keyward_seed_credits(uuid, uuid)`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_charge_credits(uuid, uuid[], bigint[], bigint[], bigint[])`);

    // A seed reads the balance and bumps the pool's seed number in one statement (docs/credits.md).
    await q.query(`
      CREATE FUNCTION keyward_seed_pool(for_tenant uuid, pool_kind text, pool_id uuid)
      RETURNS TABLE (balance bigint, version bigint, seed bigint, period bigint)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        RETURN QUERY EXECUTE format(
          'UPDATE %I SET credits_seed = credits_seed + 1
            WHERE tenant_id = $1 AND id = $2 AND remaining IS NOT NULL
           RETURNING remaining, credits_version, credits_seed, credits_period',
          CASE pool_kind WHEN 'key' THEN 'api_keys' WHEN 'owner' THEN 'owners' END)
        USING for_tenant, pool_id;
      END
      $$`);

    // Charges (amounts; a negative one is a top-up) tagged with the pool's version, seed and refill
    // period (-1: no refill), each batch at most once. Returns the charges made against an older
    // seed than the pool's current one, tagged with the current seed, for Redis to take them too.
    await q.query(`
      CREATE FUNCTION keyward_charge_pools(batch_id uuid, kinds text[], ids uuid[], versions bigint[], seeds bigint[],
                                           periods bigint[], period_starts timestamptz[], amounts bigint[])
      RETURNS TABLE (kind text, id uuid, version bigint, seed bigint, period bigint, amount bigint)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        charge record;
        current_seed bigint;
      BEGIN
        INSERT INTO credit_write_backs (id) VALUES (batch_id) ON CONFLICT ON CONSTRAINT credit_write_backs_pkey DO NOTHING;
        IF NOT FOUND THEN RETURN; END IF;
        DELETE FROM credit_write_backs WHERE at < now() - interval '1 hour';
        FOR charge IN
          SELECT c.kind, c.id, c.version, c.seed, c.period, max(c.period_start) AS period_start, sum(c.amount)::bigint AS amount
            FROM unnest(kinds, ids, versions, seeds, periods, period_starts, amounts)
                 AS c (kind, id, version, seed, period, period_start, amount)
           GROUP BY c.kind, c.id, c.version, c.seed, c.period
           ORDER BY c.kind, c.id, c.period, c.seed
        LOOP
          EXECUTE format(
            'UPDATE %I p SET
                remaining = GREATEST(CASE WHEN $5 > COALESCE(p.credits_period, -1) AND p.refill_amount IS NOT NULL
                                          THEN p.refill_amount ELSE p.remaining END - $4, 0),
                refilled_at = CASE WHEN $5 > COALESCE(p.credits_period, -1) AND p.refill_amount IS NOT NULL
                                   THEN $6 ELSE p.refilled_at END,
                credits_period = CASE WHEN p.refill_amount IS NOT NULL THEN GREATEST(COALESCE(p.credits_period, -1), $5)
                                      ELSE p.credits_period END
              WHERE p.id = $1 AND p.credits_version = $2 AND p.remaining IS NOT NULL
                AND ($5 < 0 OR p.refill_amount IS NULL OR $5 >= COALESCE(p.credits_period, -1))
             RETURNING p.credits_seed',
            CASE charge.kind WHEN 'key' THEN 'api_keys' WHEN 'owner' THEN 'owners' END)
          INTO current_seed
          USING charge.id, charge.version, charge.seed, charge.amount, charge.period, charge.period_start;
          IF current_seed IS NOT NULL AND current_seed <> charge.seed THEN
            kind := charge.kind; id := charge.id; version := charge.version; seed := current_seed;
            period := charge.period; amount := charge.amount;
            RETURN NEXT;
          END IF;
          current_seed := NULL;
        END LOOP;
      END
      $$`);
    for (const fn of [
      'keyward_seed_pool(uuid, text, uuid)',
      'keyward_charge_pools(uuid, text[], uuid[], bigint[], bigint[], bigint[], timestamptz[], bigint[])',
    ]) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO keyward_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS keyward_seed_pool(uuid, text, uuid)`);
    await q.query(
      `DROP FUNCTION IF EXISTS keyward_charge_pools(uuid, text[], uuid[], bigint[], bigint[], bigint[], timestamptz[], bigint[])`,
    );
    await q.query(`DROP TABLE IF EXISTS owners`);
    await q.query(`
      ALTER TABLE api_keys
        DROP COLUMN refill_interval, DROP COLUMN refill_amount, DROP COLUMN refill_day_of_month,
        DROP COLUMN credits_period, DROP COLUMN refilled_at,
        ADD COLUMN rate_limit integer CHECK (rate_limit >= 1),
        ADD COLUMN rate_limit_window_seconds integer CHECK (rate_limit_window_seconds >= 1)`);
    await q.query(`
      UPDATE api_keys k SET rate_limit = (l ->> 'limit')::integer, rate_limit_window_seconds = (l ->> 'windowSeconds')::integer
        FROM jsonb_array_elements(k.rate_limits) AS l
       WHERE l ->> 'name' = 'key' AND l ->> 'algorithm' = 'fixed' AND l ->> 'apply' = 'always'`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN rate_limits`);
  }
}
