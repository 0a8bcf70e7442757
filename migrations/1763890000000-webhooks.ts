import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateByTenant } from './support/isolate-by-tenant';

/**
 * Webhook subscriptions (docs/api.md, Webhooks). The signing secret must stay usable for deliveries, so
 * it is stored sealed (AES-256-GCM, bound to its row by associated data), never in plaintext. The
 * app may add, read and remove subscriptions; it never edits one in place.
 */
export class Webhooks1763890000000 implements MigrationInterface {
  name = 'Webhooks1763890000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        url text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2048),
        events text[] NOT NULL CHECK (cardinality(events) >= 1),
        sealed_secret bytea NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_subscriptions_tenant_created ON webhook_subscriptions (tenant_id, created_at, id)`);

    await isolateByTenant(q, 'webhook_subscriptions', 'SELECT, INSERT, DELETE');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS webhook_subscriptions`);
  }
}
