import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateByTenant } from './support/isolate-by-tenant';

/**
 * API keys and tenant policies. A key is stored as its keyed hash and a display `start`, never the
 * plaintext. `previous_key_id` is unique: however many rotations of one key race, one successor
 * is committed and the rest fail on the constraint.
 */
export class KeysAndPolicy1763890000001 implements MigrationInterface {
  name = 'KeysAndPolicy1763890000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        owner_id text CHECK (char_length(owner_id) BETWEEN 1 AND 200),
        key_hash bytea NOT NULL UNIQUE,
        start text NOT NULL,
        environment text NOT NULL CHECK (environment IN ('live', 'test')),
        scopes text[] NOT NULL DEFAULT '{}',
        meta jsonb NOT NULL DEFAULT '{}',
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3),
        revoked_at timestamptz(3),
        last_used_at timestamptz(3),
        rate_limit integer CHECK (rate_limit >= 1),
        rate_limit_window_seconds integer CHECK (rate_limit_window_seconds >= 1),
        remaining bigint CHECK (remaining >= 0),
        ip_allowlist text[],
        rotation_interval_seconds integer CHECK (rotation_interval_seconds >= 1),
        rotation_grace_period_seconds integer CHECK (rotation_grace_period_seconds >= 0),
        previous_key_id uuid UNIQUE REFERENCES api_keys (id),
        CHECK ((rate_limit IS NULL) = (rate_limit_window_seconds IS NULL)),
        CHECK ((rotation_interval_seconds IS NULL) = (rotation_grace_period_seconds IS NULL))
      )`);
    await q.query(`CREATE INDEX api_keys_tenant_created ON api_keys (tenant_id, created_at, id)`);
    await q.query(`CREATE INDEX api_keys_tenant_owner ON api_keys (tenant_id, owner_id, created_at, id)`);

    await q.query(`
      CREATE TABLE tenant_policies (
        tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
        unused_key_days integer CHECK (unused_key_days >= 0),
        unused_key_action text NOT NULL CHECK (unused_key_action IN ('report', 'disable', 'revoke')),
        max_key_lifetime_days integer CHECK (max_key_lifetime_days >= 1),
        expiry_warning_days integer[] NOT NULL,
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);

    // Keys are revoked, never deleted: the audit trail keeps pointing at them.
    await isolateByTenant(q, 'api_keys', 'SELECT, INSERT, UPDATE');
    await isolateByTenant(q, 'tenant_policies', 'SELECT, INSERT, UPDATE');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tenant_policies`);
    await q.query(`DROP TABLE IF EXISTS api_keys`);
  }
}
