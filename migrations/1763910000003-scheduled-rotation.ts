import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The scheduled-rotation job's two cross-tenant steps, each a narrow SECURITY DEFINER function
 * (the app role sees one tenant per transaction): which keys are due, and dropping escrows whose
 * grace has ended. The rotation itself runs per key in that key's tenant transaction.
 */
export class ScheduledRotation1763910000003 implements MigrationInterface {
  name = 'ScheduledRotation1763910000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION keyward_due_rotations(max_keys integer)
      RETURNS TABLE (tenant_id uuid, key_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT k.tenant_id, k.id
          FROM api_keys k
         WHERE k.rotation_interval_seconds IS NOT NULL
           AND k.created_at + make_interval(secs => k.rotation_interval_seconds) <= now()
           AND k.revoked_at IS NULL
           AND (k.expires_at IS NULL OR k.expires_at > now())
           AND NOT EXISTS (SELECT 1 FROM api_keys s WHERE s.previous_key_id = k.id)
         ORDER BY k.created_at
         LIMIT max_keys
      $$`);
    await q.query(`
      CREATE FUNCTION keyward_purge_expired_escrows() RETURNS integer
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        WITH purged AS (DELETE FROM key_escrows WHERE expires_at <= now() RETURNING 1)
        SELECT count(*)::integer FROM purged
      $$`);
    for (const fn of ['keyward_due_rotations(integer)', 'keyward_purge_expired_escrows()']) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO keyward_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS keyward_purge_expired_escrows()`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_due_rotations(integer)`);
  }
}
