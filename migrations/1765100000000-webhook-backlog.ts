import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The worker's view of the webhook backlog of every tenant, for its /metrics (docs/runbooks.md):
 * how many deliveries are pending, and how long the most overdue one has been due. Across tenants,
 * hence a narrow SECURITY DEFINER function that returns two numbers and no row; it reads the
 * partial index of pending deliveries (webhook_deliveries_due).
 */
export class WebhookBacklog1765100000000 implements MigrationInterface {
  name = 'WebhookBacklog1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION keyward_webhook_backlog()
      RETURNS TABLE (pending bigint, overdue_seconds double precision)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
      $$ SELECT count(*),
                coalesce(extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0)::double precision
           FROM webhook_deliveries WHERE status = 'pending' $$`);
    await q.query(`REVOKE ALL ON FUNCTION keyward_webhook_backlog() FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION keyward_webhook_backlog() TO keyward_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS keyward_webhook_backlog()`);
  }
}
