import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateByTenant } from './support/isolate-by-tenant';

/**
 * Roles (docs/api.md, Roles): named sets of scopes a key takes by name. A key's effective scopes are its own
 * plus those of its roles. `id` orders the list's pages (the cursor of every list); the name is the role's
 * address in the API. A role is deleted only while no key that is not revoked has it.
 */
export class Roles1766200000000 implements MigrationInterface {
  name = 'Roles1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE roles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        name text NOT NULL,
        scopes text[] NOT NULL,
        description text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, name)
      )`);
    await q.query(`CREATE INDEX roles_tenant_created ON roles (tenant_id, created_at, id)`);
    await isolateByTenant(q, 'roles', 'SELECT, INSERT, UPDATE, DELETE');

    await q.query(`ALTER TABLE api_keys ADD COLUMN roles text[] NOT NULL DEFAULT '{}'`);
    // Finds the keys that have a role (ROLE_IN_USE) without reading every key of the tenant.
    await q.query(`CREATE INDEX api_keys_roles ON api_keys USING gin (roles)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS api_keys_roles`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN IF EXISTS roles`);
    await q.query(`DROP TABLE IF EXISTS roles`);
  }
}
