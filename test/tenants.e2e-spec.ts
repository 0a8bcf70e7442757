// docs/api.md, "Platform operator": tenants, their listing, and suspension as the platform operator sees it.
import { randomUUID } from 'node:crypto';
import { createTenant } from './support/builders';
import { client, type TestResponse } from './support/http-client';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Both apps live until the end of the file: apps in one process share passport's global strategy
// registry, so closing one early would break the other's authentication.
describe('tenants (platform operator)', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let platform: ReturnType<typeof client>;

  beforeAll(async () => {
    admin = await startAdminApi();
    verify = await startVerify();
    platform = client(admin.url, TEST_PLATFORM_TOKEN);
  });
  afterAll(async () => {
    await verify.close();
    await admin.close();
  });

  describe('POST /v1/tenants', () => {
    it('creates an active tenant and answers exactly {id, name, status, createdAt}', async () => {
      const before = Date.now();
      const created = await platform.post('/v1/tenants', { name: 'Acme Corp' });

      expect(created.status).toBe(201);
      expect(created.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'id', 'name', 'status']);
      expect(created.body).toEqual({ id: expect.stringMatching(UUID), name: 'Acme Corp', status: 'active', createdAt: expect.any(String) });
      expect(created.body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      expect(Date.parse(created.body.createdAt)).toBeGreaterThanOrEqual(before - 5_000);
    });

    it.each([
      ['a missing name', {}],
      ['an empty name', { name: '' }],
      ['a name of 201 characters', { name: 'x'.repeat(201) }],
      ['a name that is not a string', { name: 42 }],
    ])('refuses %s with 400 VALIDATION_FAILED naming name', async (_case, body) => {
      const refused = await platform.post('/v1/tenants', body);

      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));
    });

    it('accepts a name of exactly 200 characters', async () => {
      const created = await platform.post('/v1/tenants', { name: 'y'.repeat(200) });

      expect(created.status).toBe(201);
      expect(created.body.name).toHaveLength(200);
    });
  });

  describe('GET /v1/tenants', () => {
    it('pages through every tenant with limit=3: each once, none missing, nextCursor null at the end', async () => {
      const mine: string[] = [];
      for (let i = 0; i < 7; i++) mine.push((await platform.post('/v1/tenants', { name: `paged-${i}` })).body.id);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const path: string = cursor ? `/v1/tenants?limit=3&cursor=${encodeURIComponent(cursor)}` : '/v1/tenants?limit=3';
        const page = await platform.get(path);
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(3);
        expect(page.body).toHaveProperty('nextCursor');
        seen.push(...page.body.data.map((tenant: { id: string }) => tenant.id));
        cursor = page.body.nextCursor;
        if (cursor !== null) expect(page.body.data).toHaveLength(3);
        pages++;
      } while (cursor !== null && pages < 1000);

      expect(cursor).toBeNull();
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of mine) expect(seen).toContain(id);
      // Pages follow creation order, so the seven appear in the order they were made.
      expect(seen.filter((id) => mine.includes(id))).toEqual(mine);
      expect(pages).toBeGreaterThanOrEqual(3);
    });

    it('lists tenants as {data, nextCursor} with the same resource shape as create', async () => {
      const created = await platform.post('/v1/tenants', { name: `listed-${randomUUID()}` });
      const all = await collectAllTenants(platform);

      expect(all).toContainEqual(created.body);
    });

    it('defaults to 50 per page', async () => {
      // Make sure more than 50 tenants exist, then look at the unbounded first page.
      const existing = (await collectAllTenants(platform)).length;
      for (let i = existing; i < 51; i++) await platform.post('/v1/tenants', { name: `filler-${i}` });

      const page = await platform.get('/v1/tenants');

      expect(page.status).toBe(200);
      expect(page.body.data).toHaveLength(50);
      expect(typeof page.body.nextCursor).toBe('string');
    });

    it('accepts limit=1 and limit=100', async () => {
      const one = await platform.get('/v1/tenants?limit=1');
      const hundred = await platform.get('/v1/tenants?limit=100');

      expect(one.status).toBe(200);
      expect(one.body.data).toHaveLength(1);
      expect(hundred.status).toBe(200);
    });

    it.each(['0', '101', '-1', '1.5', 'abc', ''])('refuses limit=%p with 400 VALIDATION_FAILED naming limit', async (limit) => {
      const refused = await platform.get(`/v1/tenants?limit=${encodeURIComponent(limit)}`);

      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.errors.map((error: { field: string }) => error.field)).toContain('limit');
    });

    it.each([
      ['random text', 'not-a-cursor'],
      ['base64 of something else', Buffer.from('{"a":1}').toString('base64url')],
      ['a cursor with a non-uuid id', Buffer.from(JSON.stringify(['2024-01-01T00:00:00.000Z', 'nope'])).toString('base64url')],
      ['a cursor with a bad date', Buffer.from(JSON.stringify(['yesterday', randomUUID()])).toString('base64url')],
    ])('refuses %s as cursor with 400 VALIDATION_FAILED naming cursor', async (_case, cursor) => {
      const refused = await platform.get(`/v1/tenants?cursor=${encodeURIComponent(cursor)}`);

      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.errors.map((error: { field: string }) => error.field)).toContain('cursor');
    });

    it('refuses an unknown query parameter with 400 naming it', async () => {
      const refused = await platform.get('/v1/tenants?colour=blue');

      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.errors.map((error: { field: string }) => error.field)).toContain('colour');
    });
  });

  describe('GET /v1/tenants/{id}', () => {
    it('answers the tenant as created', async () => {
      const created = await platform.post('/v1/tenants', { name: 'Fetched Ltd' });

      const fetched = await platform.get(`/v1/tenants/${created.body.id}`);

      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(created.body);
    });

    it('answers an upper-case spelling of the id like the lower-case one', async () => {
      const created = await platform.post('/v1/tenants', { name: 'Case Insensitive' });

      const fetched = await platform.get(`/v1/tenants/${created.body.id.toUpperCase()}`);

      expect(fetched.status).toBe(200);
      expect(fetched.body.id).toBe(created.body.id);
    });

    it.each([
      ['an unknown uuid', randomUUID()],
      ['a non-uuid id', 'not-a-uuid'],
      ['a number', '12345'],
      ['a uuid with a suffix', `${randomUUID()}x`],
      ['an SQL fragment', encodeURIComponent("1' OR '1'='1")],
    ])('answers %s with 404 NOT_FOUND', async (_case, id) => {
      const missing = await platform.get(`/v1/tenants/${id}`);

      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(missing.body.code).toBe('NOT_FOUND');
    });
  });

  describe('suspend and resume', () => {
    it('suspends a tenant (status suspended), idempotently', async () => {
      const tenant = await createTenant(admin.url);

      const first = await platform.post(`/v1/tenants/${tenant.id}/suspend`);
      const second = await platform.post(`/v1/tenants/${tenant.id}/suspend`);

      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ id: tenant.id, name: tenant.name, status: 'suspended' });
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect((await platform.get(`/v1/tenants/${tenant.id}`)).body.status).toBe('suspended');
    });

    it('resumes a tenant (status active), idempotently, also when it was never suspended', async () => {
      const tenant = await createTenant(admin.url);

      const neverSuspended = await platform.post(`/v1/tenants/${tenant.id}/resume`);
      await platform.post(`/v1/tenants/${tenant.id}/suspend`);
      const first = await platform.post(`/v1/tenants/${tenant.id}/resume`);
      const second = await platform.post(`/v1/tenants/${tenant.id}/resume`);

      expect(neverSuspended.status).toBe(200);
      expect(neverSuspended.body.status).toBe('active');
      expect(first.status).toBe(200);
      expect(first.body.status).toBe('active');
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect((await platform.get(`/v1/tenants/${tenant.id}`)).body.status).toBe('active');
    });

    it.each(['suspend', 'resume'])('answers %s of an unknown or malformed tenant id with 404 NOT_FOUND', async (action) => {
      const unknown = await platform.post(`/v1/tenants/${randomUUID()}/${action}`);
      const malformed = await platform.post(`/v1/tenants/nope/${action}`);

      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('NOT_FOUND');
      expect(malformed.status).toBe(404);
      expect(malformed.body.code).toBe('NOT_FOUND');
    });

    it("refuses a suspended tenant's admin with 403 TENANT_SUSPENDED, and serves it again after resume", async () => {
      const tenant = await createTenant(admin.url);
      const tenantAdmin = client(admin.url, tenant.admin);
      expect((await tenantAdmin.get('/v1/credentials')).status).toBe(200);

      await platform.post(`/v1/tenants/${tenant.id}/suspend`);
      const listWhileSuspended = await tenantAdmin.get('/v1/credentials');
      const createWhileSuspended = await tenantAdmin.post('/v1/credentials', { name: 'while-suspended', role: 'admin' });

      expect(listWhileSuspended.status).toBe(403);
      expect(listWhileSuspended.body.code).toBe('TENANT_SUSPENDED');
      expect(createWhileSuspended.status).toBe(403);
      expect(createWhileSuspended.body.code).toBe('TENANT_SUSPENDED');

      await platform.post(`/v1/tenants/${tenant.id}/resume`);
      const listAfterResume = await tenantAdmin.get('/v1/credentials');

      expect(listAfterResume.status).toBe(200);
      // Nothing was created while suspended.
      expect(listAfterResume.body.data.map((credential: { name: string }) => credential.name)).not.toContain('while-suspended');
    });

    it("answers a suspended tenant's auditor 403 rather than 401: it is known, but refused", async () => {
      const tenant = await createTenant(admin.url);
      await platform.post(`/v1/tenants/${tenant.id}/suspend`);

      const refused = await client(admin.url, tenant.auditor).get('/v1/credentials');

      expect(refused.status).toBe(403);
      expect(['TENANT_SUSPENDED', 'FORBIDDEN']).toContain(refused.body.code);
      expect(refused.headers.get('www-authenticate')).toBeNull();
    });

    it('keeps the platform operator able to manage a suspended tenant and its credentials', async () => {
      const tenant = await createTenant(admin.url);
      await platform.post(`/v1/tenants/${tenant.id}/suspend`);

      const listed = await platform.get(`/v1/tenants/${tenant.id}/credentials`);
      const issued = await platform.post(`/v1/tenants/${tenant.id}/credentials`, { name: 'during-suspension', role: 'admin' });

      expect(listed.status).toBe(200);
      expect(listed.body.data).toHaveLength(3);
      expect(issued.status).toBe(201);
    });

    it('leaves other tenants untouched when one is suspended', async () => {
      const suspended = await createTenant(admin.url);
      const bystander = await createTenant(admin.url);

      await platform.post(`/v1/tenants/${suspended.id}/suspend`);

      expect((await client(admin.url, bystander.admin).get('/v1/credentials')).status).toBe(200);
      expect((await platform.get(`/v1/tenants/${bystander.id}`)).body.status).toBe('active');
    });
  });

  describe('on the verify service', () => {
    it("still authenticates a suspended tenant's verifier (its keys answer DISABLED instead)", async () => {
      const tenant = await createTenant(admin.url);
      await platform.post(`/v1/tenants/${tenant.id}/suspend`);

      const answered = await client(verify.url, tenant.verifier).post('/v1/verify', { key: 'not-a-key' });

      expect(answered.status).toBe(200);
      expect(answered.body).toMatchObject({ valid: false, code: 'MALFORMED' });
    });
  });
});

async function collectAllTenants(platform: ReturnType<typeof client>): Promise<Array<Record<string, unknown>>> {
  const all: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  do {
    const page: TestResponse = await platform.get(
      cursor ? `/v1/tenants?limit=100&cursor=${encodeURIComponent(cursor)}` : '/v1/tenants?limit=100',
    );
    if (page.status !== 200) throw new Error(`list failed: ${page.status}`);
    all.push(...page.body.data);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return all;
}
