// Row-level security as PostgreSQL enforces it on the app role, whatever the code above forgets:
// no tenant set, nothing visible; tenant A set, only A; no writes into another tenant.
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client } from './support/http-client';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

const TENANT_TABLES = ['tenants', 'credentials', 'idempotency_records'];

/**
 * Runs `work` as the app role inside one transaction whose settings are those given (as the
 * services' tenant transactions set them), then rolls back.
 */
async function asApp<T>(settings: { tenantId?: string; platform?: boolean }, work: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: process.env.KEYWARD_TEST_APP_URL });
  await db.connect();
  try {
    await db.query('BEGIN');
    if (settings.tenantId !== undefined) await db.query(`SELECT set_config('keyward.tenant_id', $1, true)`, [settings.tenantId]);
    if (settings.platform !== undefined)
      await db.query(`SELECT set_config('keyward.platform', $1, true)`, [settings.platform ? 'on' : 'off']);
    return await work(db);
  } finally {
    await db.query('ROLLBACK').catch(() => undefined);
    await db.end();
  }
}

async function countAs(db: Client, table: string): Promise<number> {
  return Number((await db.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
}

describe('row-level security', () => {
  let admin: RunningHttpApp;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    admin = await startAdminApi();
    a = await createTenant(admin.url);
    b = await createTenant(admin.url);
    // An idempotency record in each tenant (by its admin) and one of the platform operator.
    for (const tenant of [a, b]) {
      const made = await client(admin.url, tenant.admin).post(
        '/v1/credentials',
        { name: 'keyed', role: 'auditor' },
        { headers: { 'idempotency-key': randomUUID() } },
      );
      expect(made.status).toBe(201);
    }
    const platformMade = await client(admin.url, TEST_PLATFORM_TOKEN).post(
      '/v1/tenants',
      { name: 'keyed-tenant' },
      { headers: { 'idempotency-key': randomUUID() } },
    );
    expect(platformMade.status).toBe(201);
  });
  afterAll(() => admin.close());

  describe('with no tenant set', () => {
    it.each(TENANT_TABLES)('shows the app role no rows of %s, although the owner sees some', async (table) => {
      const [owner] = await sql<{ count: string }>('owner', `SELECT count(*) FROM ${table}`);
      const [app] = await sql<{ count: string }>('app', `SELECT count(*) FROM ${table}`);

      expect(Number(owner.count)).toBeGreaterThan(0);
      expect(Number(app.count)).toBe(0);
    });

    it.each(TENANT_TABLES)('shows no rows of %s with the tenant set to the empty string or the platform flag off', async (table) => {
      expect(await asApp({ tenantId: '', platform: false }, (db) => countAs(db, table))).toBe(0);
    });

    it("lets the app role change no tenant's rows", async () => {
      const updated = await sql('app', `UPDATE credentials SET name = 'hijacked' RETURNING id`);
      const deleted = await sql('app', 'DELETE FROM tenants RETURNING id');

      expect(updated).toHaveLength(0);
      expect(deleted).toHaveLength(0);
      const [hijacked] = await sql<{ count: string }>('owner', `SELECT count(*) FROM credentials WHERE name = 'hijacked'`);
      expect(Number(hijacked.count)).toBe(0);
    });
  });

  describe('with tenant A set', () => {
    it("shows only A's credentials, all of them", async () => {
      const ownerView = await sql<{ id: string }>('owner', 'SELECT id FROM credentials WHERE tenant_id = $1 ORDER BY id', [a.id]);

      const appView = await asApp(
        { tenantId: a.id },
        async (db) => (await db.query('SELECT id, tenant_id FROM credentials ORDER BY id')).rows,
      );

      expect(appView.length).toBe(ownerView.length);
      expect(appView.map((row) => row.id)).toEqual(ownerView.map((row) => row.id));
      expect(new Set(appView.map((row) => row.tenant_id))).toEqual(new Set([a.id]));
    });

    it("finds nothing of B even when asking for B's rows by id", async () => {
      const found = await asApp({ tenantId: a.id }, async (db) => ({
        tenant: (await db.query('SELECT id FROM tenants WHERE id = $1', [b.id])).rows,
        credentials: (await db.query('SELECT id FROM credentials WHERE tenant_id = $1', [b.id])).rows,
      }));

      expect(found.tenant).toEqual([]);
      expect(found.credentials).toEqual([]);
    });

    it("shows A's own tenant row and no other", async () => {
      const rows = await asApp({ tenantId: a.id }, async (db) => (await db.query('SELECT id FROM tenants')).rows);

      expect(rows).toEqual([{ id: a.id }]);
    });

    it("shows only A's idempotency records, not B's nor the platform operator's", async () => {
      const rows = await asApp({ tenantId: a.id }, async (db) => (await db.query('SELECT tenant_id FROM idempotency_records')).rows);
      const [all] = await sql<{ count: string }>('owner', 'SELECT count(*) FROM idempotency_records');

      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows.every((row) => row.tenant_id === a.id)).toBe(true);
      expect(Number(all.count)).toBeGreaterThan(rows.length);
    });

    it('refuses to INSERT a credential for tenant B (row-level security WITH CHECK)', async () => {
      const attempt = asApp({ tenantId: a.id }, (db) =>
        db.query(`INSERT INTO credentials (tenant_id, name, role, token_hash) VALUES ($1, 'planted', 'admin', $2)`, [
          b.id,
          randomBytes(32),
        ]),
      );

      await expect(attempt).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/row-level security/) });
      const [planted] = await sql<{ count: string }>('owner', `SELECT count(*) FROM credentials WHERE name = 'planted'`);
      expect(Number(planted.count)).toBe(0);
    });

    it('lets the app role INSERT a credential for tenant A itself (the policy is not simply closed)', async () => {
      const inserted = await asApp(
        { tenantId: a.id },
        async (db) =>
          (
            await db.query(
              `INSERT INTO credentials (tenant_id, name, role, token_hash) VALUES ($1, 'own', 'admin', $2) RETURNING tenant_id`,
              [a.id, randomBytes(32)],
            )
          ).rows,
      );

      expect(inserted).toEqual([{ tenant_id: a.id }]);
    });

    it("refuses to move one of A's credentials to tenant B", async () => {
      const attempt = asApp({ tenantId: a.id }, (db) =>
        db.query('UPDATE credentials SET tenant_id = $1 WHERE tenant_id = $2', [b.id, a.id]),
      );

      await expect(attempt).rejects.toMatchObject({ code: '42501' });
    });

    it("changes none of B's credentials through UPDATE or DELETE", async () => {
      const changed = await asApp({ tenantId: a.id }, async (db) => ({
        updated: (await db.query(`UPDATE credentials SET revoked_at = now() WHERE tenant_id = $1`, [b.id])).rowCount,
        deleted: (await db.query('DELETE FROM credentials WHERE tenant_id = $1', [b.id])).rowCount,
      }));

      expect(changed).toEqual({ updated: 0, deleted: 0 });
    });

    it('refuses to create a tenant (only the platform operator may)', async () => {
      const attempt = asApp({ tenantId: a.id }, (db) => db.query(`INSERT INTO tenants (name) VALUES ('sneaky')`));

      await expect(attempt).rejects.toMatchObject({ code: '42501' });
    });

    it('refuses an idempotency record for tenant B', async () => {
      const attempt = asApp({ tenantId: a.id }, (db) =>
        db.query(
          `INSERT INTO idempotency_records (tenant_id, principal, idempotency_key, request_hash, expires_at) VALUES ($1, 'x', 'k', '\\x00', now())`,
          [b.id],
        ),
      );

      await expect(attempt).rejects.toMatchObject({ code: '42501' });
    });
  });

  describe('with the platform flag on', () => {
    it('shows every tenant', async () => {
      const ids = await asApp({ platform: true }, async (db) => (await db.query('SELECT id FROM tenants')).rows.map((row) => row.id));

      expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
    });

    it("still shows no tenant's credentials", async () => {
      expect(await asApp({ platform: true }, (db) => countAs(db, 'credentials'))).toBe(0);
    });
  });

  describe('the app role', () => {
    it('is neither superuser nor BYPASSRLS, and neither are the roles it belongs to', async () => {
      const roles = await sql<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }>(
        'app',
        `SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE pg_has_role(current_user, oid, 'MEMBER')`,
      );

      expect(roles.map((role) => role.rolname)).toEqual(expect.arrayContaining(['keyward_app']));
      for (const role of roles) {
        expect(role).toMatchObject({ rolsuper: false, rolbypassrls: false });
      }
    });

    it('owns no table, view or sequence (an owner would bypass non-forced policies)', async () => {
      const owned = await sql(
        'app',
        `SELECT c.relname FROM pg_class c
          WHERE pg_has_role(current_user, c.relowner, 'MEMBER') AND c.relnamespace = 'public'::regnamespace`,
      );

      expect(owned).toEqual([]);
    });

    it('cannot switch row-level security off', async () => {
      await expect(sql('app', 'ALTER TABLE credentials DISABLE ROW LEVEL SECURITY')).rejects.toMatchObject({ code: '42501' });
      // With row_security off, a query on a table with policies fails instead of bypassing them.
      await expect(sql('app', 'SET row_security = off; SELECT * FROM credentials')).rejects.toMatchObject({ code: '42501' });
    });
  });

  describe('the schema', () => {
    it('has row-level security enabled and forced on every table but schema_migrations', async () => {
      const tables = await sql<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
        'owner',
        `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
          WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND relname <> 'schema_migrations'
          ORDER BY relname`,
      );

      expect(tables.map((table) => table.relname)).toEqual(expect.arrayContaining(TENANT_TABLES));
      for (const table of tables) {
        expect({ table: table.relname, enabled: table.relrowsecurity, forced: table.relforcerowsecurity }).toEqual({
          table: table.relname,
          enabled: true,
          forced: true,
        });
      }
    });

    it('gives the app role no privilege on schema_migrations', async () => {
      await expect(sql('app', 'SELECT * FROM schema_migrations')).rejects.toMatchObject({ code: '42501' });
    });
  });
});
