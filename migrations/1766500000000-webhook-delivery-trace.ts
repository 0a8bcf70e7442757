import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A webhook delivery keeps the W3C traceparent of the request that announced its event (null when
 * tracing was off), so that the worker's delivery is traced as part of that request (docs/operations.md,
 * Tracing). The claim function answers it too: its result changes, so it is dropped and created again.
 */
export class WebhookDeliveryTrace1766500000000 implements MigrationInterface {
  name = 'WebhookDeliveryTrace1766500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_deliveries ADD COLUMN traceparent text`);
    await q.query(`DROP FUNCTION keyward_claim_webhook_deliveries(integer, integer)`);
    await this.createClaim(q, ', traceparent text', ', w.traceparent');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION keyward_claim_webhook_deliveries(integer, integer)`);
    await this.createClaim(q, '', '');
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN traceparent`);
  }

  /** The claim as migration 1763910000002 made it (see there), with `column` and `value` added to its result. */
  private async createClaim(q: QueryRunner, column: string, value: string): Promise<void> {
    await q.query(`
      CREATE FUNCTION keyward_claim_webhook_deliveries(max_deliveries integer, lease_seconds integer)
      RETURNS TABLE (id uuid, tenant_id uuid, subscription_id uuid, message_id text, body text, attempts integer, created_at timestamptz${column})
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
         RETURNING w.id, w.tenant_id, w.subscription_id, w.message_id, w.body, w.attempts, w.created_at${value} $$`);
    await q.query(`REVOKE ALL ON FUNCTION keyward_claim_webhook_deliveries(integer, integer) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION keyward_claim_webhook_deliveries(integer, integer) TO keyward_app`);
  }
}
