import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (docs/operations.md): the worker's hourly housekeeping deletes what is past its age,
 * across tenants, hence through a SECURITY DEFINER function, one batch per call. Each call is its
 * own short statement: it takes row locks on the rows it deletes only (old rows nobody writes) and
 * the table lock every write takes, which blocks no read or write. The rows of a batch are found
 * by index and deleted by ctid (a TID scan), so that a batch costs the same on a table of any size.
 * The audit log is not among them: it is never deleted.
 */
export class Retention1765100000001 implements MigrationInterface {
  name = 'Retention1765100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX key_usage_hour ON key_usage (hour)`);
    await q.query(`CREATE INDEX webhook_deliveries_done ON webhook_deliveries (status, updated_at) WHERE status <> 'pending'`);
    await q.query(`
      CREATE FUNCTION keyward_purge_batch(what text, cutoff timestamptz, max_rows integer) RETURNS integer
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        batch integer := least(greatest(max_rows, 1), 10000);
        purged integer;
      BEGIN
        CASE what
          WHEN 'key_usage' THEN
            DELETE FROM key_usage WHERE ctid = ANY (ARRAY(
              SELECT ctid FROM key_usage WHERE hour < cutoff LIMIT batch));
          WHEN 'webhook_deliveries_succeeded' THEN
            DELETE FROM webhook_deliveries WHERE ctid = ANY (ARRAY(
              SELECT ctid FROM webhook_deliveries WHERE status = 'succeeded' AND updated_at < cutoff LIMIT batch));
          WHEN 'webhook_deliveries_failed' THEN
            DELETE FROM webhook_deliveries WHERE ctid = ANY (ARRAY(
              SELECT ctid FROM webhook_deliveries WHERE status = 'failed' AND updated_at < cutoff LIMIT batch));
          WHEN 'idempotency_records' THEN
            DELETE FROM idempotency_records WHERE ctid = ANY (ARRAY(
              SELECT ctid FROM idempotency_records WHERE expires_at < cutoff LIMIT batch));
          ELSE
            RAISE EXCEPTION 'keyward_purge_batch: nothing to purge is named %', what USING ERRCODE = 'invalid_parameter_value';
        END CASE;
        GET DIAGNOSTICS purged = ROW_COUNT;
        RETURN purged;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION keyward_purge_batch(text, timestamptz, integer) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION keyward_purge_batch(text, timestamptz, integer) TO keyward_app`);
    // keyward_purge_expired_idempotency_records() stays: a worker of the previous release, still
    // running during a rolling upgrade, calls it.
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS keyward_purge_batch(text, timestamptz, integer)`);
    await q.query(`DROP INDEX IF EXISTS webhook_deliveries_done`);
    await q.query(`DROP INDEX IF EXISTS key_usage_hour`);
  }
}
