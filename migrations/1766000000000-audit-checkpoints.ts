import type { MigrationInterface, QueryRunner } from 'typeorm';
import { makeAppendOnly } from './support/append-only';
import { isolateByTenant } from './support/isolate-by-tenant';

/**
 * Signed checkpoints of the audit chains (docs/auditing.md, Checkpoints).
 *
 * - `signing_keys`: the deployment's Ed25519 signing keys, one ring per purpose (`audit` signs
 *   checkpoints; `principal` is for signed principals of the verify service). Platform-wide, not per
 *   tenant: a key is the deployment's signature, a tenant has no secret of its own to protect with
 *   it, and one JWKS serves every auditor. The private half is sealed with the deployment's
 *   encryption key (AES-256-GCM) before it reaches the database. One key per purpose signs; retired
 *   keys keep their public half in the JWKS (`published_until` null: for ever) so that whatever they
 *   signed still verifies. The app role has no privilege on the table: it reads and adds keys only
 *   through the SECURITY DEFINER functions below.
 * - `audit_checkpoints`: the checkpoints the worker keeps each hour, one per tenant whose chain moved
 *   since its last one; append-only like the audit log, and row-level isolated by tenant.
 */
export class AuditCheckpoints1766000000000 implements MigrationInterface {
  name = 'AuditCheckpoints1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        purpose text NOT NULL CHECK (purpose IN ('audit', 'principal')),
        public_key bytea NOT NULL CHECK (octet_length(public_key) = 32),
        sealed_private_key bytea NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        retired_at timestamptz(3),
        published_until timestamptz(3)
      )`);
    await q.query(`CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (purpose) WHERE retired_at IS NULL`);
    await q.query(`ALTER TABLE signing_keys ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE signing_keys FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY signing_keys_owner ON signing_keys TO CURRENT_USER USING (true) WITH CHECK (true)`);

    // The public halves a JWKS of `for_purpose` lists: the current key and every retired one still published.
    await q.query(`
      CREATE FUNCTION keyward_published_signing_keys(for_purpose text)
      RETURNS TABLE (kid text, public_key bytea, created_at timestamptz, retired_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT k.kid, k.public_key, k.created_at, k.retired_at
          FROM signing_keys k
         WHERE k.purpose = for_purpose AND (k.published_until IS NULL OR k.published_until > now())
         ORDER BY k.created_at, k.kid
      $$`);
    // The key that signs now, its private half still sealed.
    await q.query(`
      CREATE FUNCTION keyward_current_signing_key(for_purpose text)
      RETURNS TABLE (kid text, public_key bytea, sealed_private_key bytea, created_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT k.kid, k.public_key, k.sealed_private_key, k.created_at
          FROM signing_keys k
         WHERE k.purpose = for_purpose AND k.retired_at IS NULL
      $$`);
    // Makes the given key the current one of its purpose, unless the current key is younger than
    // `replace_if_older_than` (null: never replace one), and returns the kid that is current after.
    // The retired key stays published for `publish_retired_for` (null: for ever). Callers of one
    // purpose take turns on an advisory lock, so racing workers never make two current keys.
    await q.query(`
      CREATE FUNCTION keyward_add_signing_key(for_purpose text, new_kid text, new_public_key bytea, new_sealed_private_key bytea,
                                              replace_if_older_than interval, publish_retired_for interval)
      RETURNS text
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        current_key record;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('keyward_signing_keys'), hashtext(for_purpose));
        SELECT k.kid, k.created_at INTO current_key FROM signing_keys k WHERE k.purpose = for_purpose AND k.retired_at IS NULL;
        IF FOUND AND (replace_if_older_than IS NULL OR current_key.created_at > now() - replace_if_older_than) THEN
          RETURN current_key.kid;
        END IF;
        UPDATE signing_keys SET retired_at = now(), published_until = now() + publish_retired_for
         WHERE purpose = for_purpose AND retired_at IS NULL;
        INSERT INTO signing_keys (kid, purpose, public_key, sealed_private_key) VALUES (new_kid, for_purpose, new_public_key, new_sealed_private_key);
        RETURN new_kid;
      END
      $$`);

    await q.query(`
      CREATE TABLE audit_checkpoints (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        seq bigint NOT NULL CHECK (seq >= 0),
        head_hash char(64) NOT NULL,
        issued_at timestamptz(3) NOT NULL,
        key_id text NOT NULL REFERENCES signing_keys (kid),
        signature text NOT NULL,
        PRIMARY KEY (tenant_id, seq)
      )`);
    await makeAppendOnly(q, 'audit_checkpoints', 'keyward_refuse_checkpoint_change', 'audit checkpoints');
    await isolateByTenant(q, 'audit_checkpoints', 'SELECT, INSERT');

    // Tenants whose chain has events past their last kept checkpoint, in id order after a cursor.
    await q.query(`
      CREATE FUNCTION keyward_tenants_due_for_audit_checkpoint(after_id uuid, max_tenants integer)
      RETURNS TABLE (tenant_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT h.tenant_id
          FROM audit_chain_heads h
         WHERE h.seq > coalesce((SELECT max(c.seq) FROM audit_checkpoints c WHERE c.tenant_id = h.tenant_id), 0)
           AND (after_id IS NULL OR h.tenant_id > after_id)
         ORDER BY h.tenant_id
         LIMIT max_tenants
      $$`);

    for (const fn of [
      'keyward_published_signing_keys(text)',
      'keyward_current_signing_key(text)',
      'keyward_add_signing_key(text, text, bytea, bytea, interval, interval)',
      'keyward_tenants_due_for_audit_checkpoint(uuid, integer)',
    ]) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO keyward_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS keyward_tenants_due_for_audit_checkpoint(uuid, integer)`);
    await q.query(`DROP TABLE IF EXISTS audit_checkpoints`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_refuse_checkpoint_change()`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_add_signing_key(text, text, bytea, bytea, interval, interval)`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_current_signing_key(text)`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_published_signing_keys(text)`);
    await q.query(`DROP TABLE IF EXISTS signing_keys`);
  }
}
