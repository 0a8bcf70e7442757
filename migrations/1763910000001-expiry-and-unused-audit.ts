import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateByTenant } from './support/isolate-by-tenant';

/**
 * What the expiry and unused-key jobs remember so that each fact is announced once, however many
 * runs repeat or race (each is written in the transaction of the audit event and webhook it guards):
 * - `api_keys.expiry_recorded_for`: the `expires_at` whose passing was recorded (key.expired). A key
 *   whose expiry is moved later by PATCH differs from it again, and its new expiry is recorded too.
 * - `key_expiry_warnings`: one row per (key, expiry, warning day) sent as key.expiring.
 * - `unused_key_flags`: one row per key and idle period (`idle_since` = the last_used_at, or the
 *   created_at of a key never used, the key was judged on), with what the policy did about it.
 * - `unused_key_reports`: each run's report per tenant (GET /v1/reports/unused-keys serves the latest).
 * The cross-tenant scans are narrow SECURITY DEFINER functions (the app role sees one tenant per
 * transaction); the recording itself runs per key in the key's tenant transaction.
 */
export class ExpiryAndUnusedAudit1763910000001 implements MigrationInterface {
  name = 'ExpiryAndUnusedAudit1763910000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN expiry_recorded_for timestamptz(3)`);
    // Keys whose current expiry is not recorded yet: the due ones and the ones to warn about.
    // Recorded expiries leave it, so the scans do not grow with history.
    await q.query(`
      CREATE INDEX api_keys_expiry_unrecorded ON api_keys (expires_at, id)
      WHERE expires_at IS NOT NULL AND revoked_at IS NULL AND expiry_recorded_for IS DISTINCT FROM expires_at`);

    await q.query(`
      CREATE TABLE key_expiry_warnings (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        key_id uuid NOT NULL REFERENCES api_keys (id),
        expires_at timestamptz(3) NOT NULL,
        days integer NOT NULL CHECK (days >= 1),
        warned_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (key_id, expires_at, days)
      )`);
    await isolateByTenant(q, 'key_expiry_warnings', 'SELECT, INSERT');

    await q.query(`
      CREATE TABLE unused_key_flags (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        key_id uuid NOT NULL REFERENCES api_keys (id),
        idle_since timestamptz(3) NOT NULL,
        threshold_days integer NOT NULL CHECK (threshold_days >= 0),
        action text NOT NULL CHECK (action IN ('reported', 'disabled', 'revoked')),
        flagged_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (key_id, idle_since)
      )`);
    // UPDATE: a policy made stricter within the idle period escalates the action once (report -> disable -> revoke).
    await isolateByTenant(q, 'unused_key_flags', 'SELECT, INSERT, UPDATE');

    await q.query(`
      CREATE TABLE unused_key_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        generated_at timestamptz(3) NOT NULL,
        threshold_days integer NOT NULL CHECK (threshold_days >= 0),
        action text NOT NULL CHECK (action IN ('report', 'disable', 'revoke')),
        keys jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX unused_key_reports_tenant_generated ON unused_key_reports (tenant_id, generated_at DESC, id)`);
    // DELETE: each run keeps the tenant's latest reports only.
    await isolateByTenant(q, 'unused_key_reports', 'SELECT, INSERT, DELETE');

    // Keys of every tenant past an expiry not yet recorded, in (expires_at, id) order after a cursor.
    await q.query(`
      CREATE FUNCTION keyward_keys_due_for_expiry(after_expires_at timestamptz, after_id uuid, max_keys integer)
      RETURNS TABLE (tenant_id uuid, key_id uuid, expires_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT k.tenant_id, k.id, k.expires_at
          FROM api_keys k
         WHERE k.expires_at IS NOT NULL AND k.revoked_at IS NULL AND k.expiry_recorded_for IS DISTINCT FROM k.expires_at
           AND k.expires_at <= now()
           AND (after_id IS NULL OR (k.expires_at, k.id) > (after_expires_at, after_id))
         ORDER BY k.expires_at, k.id
         LIMIT max_keys
      $$`);

    // Keys of every tenant with warnings due: for each of the tenant's expiry_warning_days (the
    // caller's defaults for a tenant without a policy) within which the key expires, not sent yet.
    // A key replaced by rotation is left out: key.rotated already said when it stops working.
    await q.query(`
      CREATE FUNCTION keyward_expiry_warnings_due(default_days integer[], after_id uuid, max_keys integer)
      RETURNS TABLE (tenant_id uuid, key_id uuid, days integer[])
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        WITH horizon AS (
          SELECT now() + make_interval(days => coalesce(max(d), 0)) AS until
            FROM (SELECT unnest(expiry_warning_days) FROM tenant_policies UNION ALL SELECT unnest(default_days)) AS all_days (d)
        )
        SELECT k.tenant_id, k.id, array_agg(w.days ORDER BY w.days DESC)
          FROM api_keys k
          LEFT JOIN tenant_policies p ON p.tenant_id = k.tenant_id
         CROSS JOIN LATERAL unnest(coalesce(p.expiry_warning_days, default_days)) AS w (days)
         WHERE k.expires_at IS NOT NULL AND k.revoked_at IS NULL AND k.expiry_recorded_for IS DISTINCT FROM k.expires_at
           AND k.expires_at > now() AND k.expires_at <= (SELECT until FROM horizon)
           AND k.expires_at <= now() + make_interval(days => w.days)
           AND NOT EXISTS (SELECT 1 FROM key_expiry_warnings s WHERE s.key_id = k.id AND s.expires_at = k.expires_at AND s.days = w.days)
           AND NOT EXISTS (SELECT 1 FROM api_keys successor WHERE successor.previous_key_id = k.id)
           AND (after_id IS NULL OR k.id > after_id)
         GROUP BY k.tenant_id, k.id
         ORDER BY k.id
         LIMIT max_keys
      $$`);

    // Tenants whose policy asks for the unused-key audit. A suspended tenant's keys cannot be
    // used, so they would all look idle: such tenants are skipped until they are resumed.
    await q.query(`
      CREATE FUNCTION keyward_tenants_with_unused_key_audit()
      RETURNS TABLE (tenant_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT p.tenant_id
          FROM tenant_policies p JOIN tenants t ON t.id = p.tenant_id
         WHERE p.unused_key_days IS NOT NULL AND t.status = 'active'
         ORDER BY p.tenant_id
      $$`);

    for (const fn of [
      'keyward_keys_due_for_expiry(timestamptz, uuid, integer)',
      'keyward_expiry_warnings_due(integer[], uuid, integer)',
      'keyward_tenants_with_unused_key_audit()',
    ]) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO keyward_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS keyward_tenants_with_unused_key_audit()`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_expiry_warnings_due(integer[], uuid, integer)`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_keys_due_for_expiry(timestamptz, uuid, integer)`);
    await q.query(`DROP TABLE IF EXISTS unused_key_reports`);
    await q.query(`DROP TABLE IF EXISTS unused_key_flags`);
    await q.query(`DROP TABLE IF EXISTS key_expiry_warnings`);
    await q.query(`DROP INDEX IF EXISTS api_keys_expiry_unrecorded`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN IF EXISTS expiry_recorded_for`);
  }
}
