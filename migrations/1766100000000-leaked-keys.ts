import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Leaked-key reports (docs/secret-scanning.md): the tenant policy's `leakedKeyAction`, and the two
 * look-ups that precede knowing the tenant. A report from GitHub names tokens, not tenants, so the
 * keys and credentials it holds are found across tenants, a whole batch in one statement, by their
 * keyed hashes only (the unique indexes on key_hash and token_hash), through narrow SECURITY DEFINER
 * functions; everything done to them then runs in the owning tenant's transaction.
 */
export class LeakedKeys1766100000000 implements MigrationInterface {
  name = 'LeakedKeys1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tenant_policies ADD COLUMN leaked_key_action text NOT NULL DEFAULT 'revoke'
        CHECK (leaked_key_action IN ('revoke', 'disable', 'report'))`);

    await q.query(`
      CREATE FUNCTION keyward_find_leaked_keys(hashes bytea[])
      RETURNS TABLE (key_id uuid, tenant_id uuid, key_hash bytea)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
      $$ SELECT k.id, k.tenant_id, k.key_hash FROM api_keys k WHERE k.key_hash = ANY (hashes[1:1000]) $$`);
    await q.query(`REVOKE ALL ON FUNCTION keyward_find_leaked_keys(bytea[]) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION keyward_find_leaked_keys(bytea[]) TO keyward_app`);

    await q.query(`
      CREATE FUNCTION keyward_find_leaked_credentials(hashes bytea[])
      RETURNS TABLE (credential_id uuid, tenant_id uuid, token_hash bytea)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
      $$ SELECT c.id, c.tenant_id, c.token_hash FROM credentials c WHERE c.token_hash = ANY (hashes[1:1000]) $$`);
    await q.query(`REVOKE ALL ON FUNCTION keyward_find_leaked_credentials(bytea[]) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION keyward_find_leaked_credentials(bytea[]) TO keyward_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS keyward_find_leaked_credentials(bytea[])`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_find_leaked_keys(bytea[])`);
    await q.query(`ALTER TABLE tenant_policies DROP COLUMN IF EXISTS leaked_key_action`);
  }
}
