import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credit balances that stay exact when Redis loses them (docs/credits.md).
 *
 * - `credits_seed` counts the times Redis's balance of a key was seeded from `remaining`. Redis
 *   keeps the seed it holds beside the balance, and every charge is tagged with it.
 * - The verify processes write back the credits they charged (amounts, not balances), each batch
 *   once (`credit_write_backs` remembers the batches of the last hour, so a retried batch whose
 *   first try committed is not charged twice). A charge made against an older seed than the one
 *   now recorded was not in that seed's balance: the function returns it, and the verify process
 *   charges it to Redis's balance too.
 * - A seed reads the balance and bumps `credits_seed` in one statement.
 */
export class ExactCredits1765000000000 implements MigrationInterface {
  name = 'ExactCredits1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN credits_seed bigint NOT NULL DEFAULT 0`);
    await q.query(`CREATE TABLE credit_write_backs (id uuid PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX credit_write_backs_at ON credit_write_backs (at)`);
    // Written only through keyward_charge_credits (SECURITY DEFINER): the app role gets no privilege,
    // and row-level security is on and forced, as on every table.
    await q.query(`ALTER TABLE credit_write_backs ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE credit_write_backs FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY credit_write_backs_owner ON credit_write_backs TO CURRENT_USER USING (true) WITH CHECK (true)`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_write_back_credits(uuid[], bigint[], bigint[])`);

    await q.query(`
      CREATE FUNCTION keyward_charge_credits(batch_id uuid, key_ids uuid[], versions bigint[], seeds bigint[], amounts bigint[])
      RETURNS TABLE (key_id uuid, version bigint, seed bigint, amount bigint)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        charge record;
        current_seed bigint;
      BEGIN
        INSERT INTO credit_write_backs (id) VALUES (batch_id) ON CONFLICT (id) DO NOTHING;
        IF NOT FOUND THEN RETURN; END IF;
        DELETE FROM credit_write_backs WHERE at < now() - interval '1 hour';
        FOR charge IN
          SELECT c.key_id, c.version, c.seed, sum(c.amount)::bigint AS amount
            FROM unnest(key_ids, versions, seeds, amounts) AS c (key_id, version, seed, amount)
           GROUP BY c.key_id, c.version, c.seed
           ORDER BY c.key_id, c.seed
        LOOP
          UPDATE api_keys k SET remaining = GREATEST(k.remaining - charge.amount, 0)
           WHERE k.id = charge.key_id AND k.credits_version = charge.version AND k.remaining IS NOT NULL
          RETURNING k.credits_seed INTO current_seed;
          IF FOUND AND current_seed <> charge.seed THEN
            key_id := charge.key_id; version := charge.version; seed := current_seed; amount := charge.amount;
            RETURN NEXT;
          END IF;
        END LOOP;
      END
      $$`);
    await q.query(`
      CREATE FUNCTION keyward_seed_credits(for_tenant uuid, for_key uuid)
      RETURNS TABLE (balance bigint, version bigint, seed bigint)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        UPDATE api_keys SET credits_seed = credits_seed + 1
         WHERE tenant_id = for_tenant AND id = for_key AND remaining IS NOT NULL
        RETURNING remaining, credits_version, credits_seed
      $$`);
    for (const fn of ['keyward_charge_credits(uuid, uuid[], bigint[], bigint[], bigint[])', 'keyward_seed_credits(uuid, uuid)']) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO keyward_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS keyward_seed_credits(uuid, uuid)`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_charge_credits(uuid, uuid[], bigint[], bigint[], bigint[])`);
    await q.query(`DROP TABLE IF EXISTS credit_write_backs`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN IF EXISTS credits_seed`);
    await q.query(`
      CREATE FUNCTION keyward_write_back_credits(key_ids uuid[], balances bigint[], versions bigint[])
      RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        UPDATE api_keys k SET remaining = GREATEST(c.balance, 0)
          FROM unnest(key_ids, balances, versions) AS c (key_id, balance, version)
         WHERE k.id = c.key_id AND k.credits_version = c.version AND k.remaining IS NOT NULL
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION keyward_write_back_credits(uuid[], bigint[], bigint[]) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION keyward_write_back_credits(uuid[], bigint[], bigint[]) TO keyward_app`);
  }
}
