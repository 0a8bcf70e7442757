import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants, their credentials and idempotency records, with row-level security forced on every
 * table. The app connects as a member of `keyward_app`, a role with no BYPASSRLS that owns nothing.
 */
export class Foundation1763870000000 implements MigrationInterface {
  name = 'Foundation1763870000000';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide: another database on the same server may have made it already.
    await q.query(`
      DO $$ BEGIN
        CREATE ROLE keyward_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO keyward_app`);

    // The current tenant and platform flag, as set by each transaction (set_config(..., true)).
    await q.query(`
      CREATE FUNCTION keyward_current_tenant() RETURNS uuid LANGUAGE sql STABLE AS
      $$ SELECT nullif(current_setting('keyward.tenant_id', true), '')::uuid $$`);
    await q.query(`
      CREATE FUNCTION keyward_is_platform() RETURNS boolean LANGUAGE sql STABLE AS
      $$ SELECT coalesce(current_setting('keyward.platform', true), '') = 'on' $$`);

    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX tenants_created_at_id ON tenants (created_at, id)`);

    await q.query(`
      CREATE TABLE credentials (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        role text NOT NULL CHECK (role IN ('admin', 'auditor', 'verifier')),
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3),
        revoked_at timestamptz(3)
      )`);
    await q.query(`CREATE INDEX credentials_tenant_created ON credentials (tenant_id, created_at, id)`);

    await q.query(`
      CREATE TABLE idempotency_records (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid REFERENCES tenants (id),
        principal text NOT NULL,
        idempotency_key text NOT NULL,
        request_hash bytea NOT NULL,
        status_code integer,
        sealed_response bytea,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        UNIQUE (principal, idempotency_key)
      )`);
    await q.query(`CREATE INDEX idempotency_records_expires ON idempotency_records (expires_at)`);

    for (const table of ['tenants', 'credentials', 'idempotency_records']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO keyward_app`);
      // The owner (migrations, and the SECURITY DEFINER look-up below) keeps full access; it could
      // switch RLS off anyway. Every other role gets only what the policies below allow.
      await q.query(`CREATE POLICY ${table}_owner ON ${table} TO CURRENT_USER USING (true) WITH CHECK (true)`);
    }

    await q.query(`
      CREATE POLICY tenants_isolation ON tenants TO keyward_app
      USING (keyward_is_platform() OR id = keyward_current_tenant())
      WITH CHECK (keyward_is_platform())`);
    await q.query(`
      CREATE POLICY credentials_isolation ON credentials TO keyward_app
      USING (tenant_id = keyward_current_tenant())
      WITH CHECK (tenant_id = keyward_current_tenant())`);
    await q.query(`
      CREATE POLICY idempotency_records_isolation ON idempotency_records TO keyward_app
      USING (tenant_id = keyward_current_tenant() OR (tenant_id IS NULL AND keyward_is_platform()))
      WITH CHECK (tenant_id = keyward_current_tenant() OR (tenant_id IS NULL AND keyward_is_platform()))`);

    // Authentication is the one look-up that precedes knowing the tenant. It is narrowed to a
    // function that finds a credential by its keyed hash only, and runs as the owner.
    await q.query(`
      CREATE FUNCTION keyward_authenticate_credential(presented_hash bytea)
      RETURNS TABLE (credential_id uuid, tenant_id uuid, role text, expires_at timestamptz,
                     revoked_at timestamptz, tenant_status text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
      $$ SELECT c.id, c.tenant_id, c.role, c.expires_at, c.revoked_at, t.status
           FROM credentials c JOIN tenants t ON t.id = c.tenant_id
          WHERE c.token_hash = presented_hash $$`);
    await q.query(`REVOKE ALL ON FUNCTION keyward_authenticate_credential(bytea) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION keyward_authenticate_credential(bytea) TO keyward_app`);

    // Expired idempotency records of every tenant, purged by the worker's housekeeping job.
    await q.query(`
      CREATE FUNCTION keyward_purge_expired_idempotency_records() RETURNS integer
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
      $$ WITH purged AS (DELETE FROM idempotency_records WHERE expires_at < now() RETURNING 1)
         SELECT count(*)::integer FROM purged $$`);
    await q.query(`REVOKE ALL ON FUNCTION keyward_purge_expired_idempotency_records() FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION keyward_purge_expired_idempotency_records() TO keyward_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS keyward_purge_expired_idempotency_records()`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_authenticate_credential(bytea)`);
    await q.query(`DROP TABLE IF EXISTS idempotency_records, credentials, tenants`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_is_platform(), keyward_current_tenant()`);
  }
}
