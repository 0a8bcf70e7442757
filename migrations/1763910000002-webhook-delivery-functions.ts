import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The worker's claim of due webhook deliveries, across tenants. The app role sees one tenant per
 * transaction, so the claim runs as a narrow SECURITY DEFINER function; the worker then reads the
 * subscription and records each attempt in that delivery's own tenant transaction.
 */
export class WebhookDeliveryFunctions1763910000002 implements MigrationInterface {
  name = 'WebhookDeliveryFunctions1763910000002';

  async up(q: QueryRunner): Promise<void> {
    // SKIP LOCKED: concurrent claims never wait for, nor take, each other's rows. Moving
    // next_attempt_at ahead is the lease: after the claim commits, the rows are not due for
    // anyone until the holder records its attempt, or the lease runs out (the holder crashed).
    await q.query(`
      CREATE FUNCTION keyward_claim_webhook_deliveries(max_deliveries integer, lease_seconds integer)
      RETURNS TABLE (id uuid, tenant_id uuid, subscription_id uuid, message_id text, body text, attempts integer, created_at timestamptz)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
      $$ WITH due AS (
           SELECT d.id FROM webhook_deliveries d
            WHERE d.status = 'pending' AND d.next_attempt_at <= now()
            ORDER BY d.next_attempt_at, d.id
            LIMIT least(greatest(max_deliveries, 0), 1000)
            FOR UPDATE SKIP LOCKED)
         UPDATE webhook_deliveries w
            SET next_attempt_at = now() + make_interval(secs => least(greatest(lease_seconds, 1), 3600)), updated_at = now()
           FROM due
          WHERE w.id = due.id
         RETURNING w.id, w.tenant_id, w.subscription_id, w.message_id, w.body, w.attempts, w.created_at $$`);
    await q.query(`REVOKE ALL ON FUNCTION keyward_claim_webhook_deliveries(integer, integer) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION keyward_claim_webhook_deliveries(integer, integer) TO keyward_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS keyward_claim_webhook_deliveries(integer, integer)`);
  }
}
