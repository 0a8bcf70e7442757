import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateByTenant } from './support/isolate-by-tenant';

/**
 * The webhook outbox: one delivery row per (event, subscription), written in the transaction of
 * the change it announces, so an event is delivered if and only if its change committed. The body
 * is stored as sent, so every retry carries the same bytes and the same `webhook-id`.
 * And the escrow of keys made by scheduled rotation: sealed until revealed once or the grace ends.
 */
export class WebhookOutboxAndEscrow1763910000000 implements MigrationInterface {
  name = 'WebhookOutboxAndEscrow1763910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        message_id text NOT NULL UNIQUE,
        event_type text NOT NULL,
        body text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error text,
        next_attempt_at timestamptz(3) NOT NULL DEFAULT now(),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (tenant_id, subscription_id, created_at, id)`);
    await isolateByTenant(q, 'webhook_deliveries', 'SELECT, INSERT, UPDATE');

    await q.query(`
      CREATE TABLE key_escrows (
        key_id uuid PRIMARY KEY REFERENCES api_keys (id),
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        sealed_key bytea NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX key_escrows_expires ON key_escrows (expires_at)`);
    await isolateByTenant(q, 'key_escrows', 'SELECT, INSERT, DELETE');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS key_escrows`);
    await q.query(`DROP TABLE IF EXISTS webhook_deliveries`);
  }
}
