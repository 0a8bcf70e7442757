// docs/api.md, "Platform operator" and "Tenant credentials": issuing, listing, expiring and revoking
// tenant credentials, and a revocation reaching the verify service within one second.
import { generateSecretToken } from '@keyward/platform';
import { randomUUID } from 'node:crypto';
import { createCredential, createTenant, type TestTenant } from './support/builders';
import { client, request, type TestResponse } from './support/http-client';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

const TOKEN = /^kwc_[0-9A-Za-z]{38}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The apps live until the end of the file: apps in one process share passport's global strategy
// registry, so closing one early would break the others' authentication.
describe('tenant credentials', () => {
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

  describe('POST /v1/tenants/{id}/credentials (platform operator)', () => {
    let tenant: TestTenant;
    beforeAll(async () => {
      tenant = await createTenant(admin.url);
    });

    it.each(['admin', 'auditor', 'verifier'])(
      'issues a %s credential answering {id, name, role, token, createdAt, expiresAt}',
      async (role) => {
        const issued = await platform.post(`/v1/tenants/${tenant.id}/credentials`, { name: `ci-${role}`, role });

        expect(issued.status).toBe(201);
        expect(Object.keys(issued.body).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'name', 'role', 'token']);
        expect(issued.body).toMatchObject({ id: expect.stringMatching(UUID), name: `ci-${role}`, role, expiresAt: null });
        expect(issued.body.token).toMatch(TOKEN);
        expect(Number.isNaN(Date.parse(issued.body.createdAt))).toBe(false);
      },
    );

    it('issues a different token every time', async () => {
      const tokens = new Set<string>();
      for (let i = 0; i < 5; i++) tokens.add((await createCredential(admin.url, tenant.id, 'verifier')).token);

      expect(tokens.size).toBe(5);
    });

    it('returns expiresAt as given when it is in the future', async () => {
      const expiresAt = new Date(Date.now() + 3_600_000).toISOString();

      const issued = await platform.post(`/v1/tenants/${tenant.id}/credentials`, { name: 'expiring', role: 'admin', expiresAt });

      expect(issued.status).toBe(201);
      expect(issued.body.expiresAt).toBe(expiresAt);
    });

    it.each([
      ['an unknown uuid', () => randomUUID()],
      ['a malformed id', () => 'not-a-tenant'],
    ])('answers a tenant of %s with 404 NOT_FOUND and creates nothing', async (_case, id) => {
      const issued = await platform.post(`/v1/tenants/${id()}/credentials`, { name: 'ghost', role: 'admin' });
      const listed = await platform.get(`/v1/tenants/${id()}/credentials`);

      expect(issued.status).toBe(404);
      expect(issued.body.code).toBe('NOT_FOUND');
      expect(listed.status).toBe(404);
      expect(listed.body.code).toBe('NOT_FOUND');
    });

    it.each([
      ['an unknown role', { name: 'x', role: 'owner' }, 'role'],
      ['a missing role', { name: 'x' }, 'role'],
      ['a missing name', { role: 'admin' }, 'name'],
      ['an empty name', { name: '', role: 'admin' }, 'name'],
      ['a non-ISO expiresAt', { name: 'x', role: 'admin', expiresAt: 'tomorrow' }, 'expiresAt'],
      ['a numeric expiresAt', { name: 'x', role: 'admin', expiresAt: Date.now() + 60_000 }, 'expiresAt'],
      ['an expiresAt in the past', { name: 'x', role: 'admin', expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'expiresAt'],
      ['an unknown field', { name: 'x', role: 'admin', scopes: ['*'] }, 'scopes'],
    ])('refuses %s with 400 VALIDATION_FAILED naming the field, and creates nothing', async (_case, body, field) => {
      const before = (await platform.get(`/v1/tenants/${tenant.id}/credentials?limit=100`)).body.data.length;

      const refused = await platform.post(`/v1/tenants/${tenant.id}/credentials`, body);

      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      expect((await platform.get(`/v1/tenants/${tenant.id}/credentials?limit=100`)).body.data).toHaveLength(before);
    });
  });

  describe('GET /v1/tenants/{id}/credentials (platform operator)', () => {
    it("lists the tenant's credentials without any token", async () => {
      const tenant = await createTenant(admin.url);

      const listed = await platform.get(`/v1/tenants/${tenant.id}/credentials`);

      expect(listed.status).toBe(200);
      expect(listed.body.nextCursor).toBeNull();
      expect(listed.body.data.map((credential: { role: string }) => credential.role).sort()).toEqual(['admin', 'auditor', 'verifier']);
      for (const credential of listed.body.data) {
        expect(Object.keys(credential).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'name', 'revokedAt', 'role']);
      }
      const text = JSON.stringify(listed.body);
      for (const token of [tenant.admin, tenant.auditor, tenant.verifier]) expect(text).not.toContain(token);
    });

    it("lists only that tenant's credentials", async () => {
      const a = await createTenant(admin.url);
      const b = await createTenant(admin.url);
      const onlyB = await createCredential(admin.url, b.id, 'auditor', 'only-in-b');

      const listedA = await platform.get(`/v1/tenants/${a.id}/credentials`);

      expect(listedA.body.data.map((credential: { id: string }) => credential.id)).not.toContain(onlyB.id);
      expect(listedA.body.data).toHaveLength(3);
    });

    it('pages with limit and cursor, each credential once', async () => {
      const tenant = await createTenant(admin.url);
      for (let i = 0; i < 4; i++) await createCredential(admin.url, tenant.id, 'verifier', `extra-${i}`);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: TestResponse = await platform.get(
          `/v1/tenants/${tenant.id}/credentials?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.data.map((credential: { id: string }) => credential.id));
        cursor = page.body.nextCursor;
      } while (cursor !== null && seen.length < 100);

      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=500', 'limit'],
      ['cursor=bogus', 'cursor'],
    ])('refuses %s with 400 VALIDATION_FAILED naming the field', async (query, field) => {
      const tenant = await createTenant(admin.url);

      const refused = await platform.get(`/v1/tenants/${tenant.id}/credentials?${query}`);

      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });
  });

  describe('POST and GET /v1/credentials (tenant admin)', () => {
    it("issues a credential in the admin's own tenant, whose token then works", async () => {
      const tenant = await createTenant(admin.url);
      const tenantAdmin = client(admin.url, tenant.admin);

      const issued = await tenantAdmin.post('/v1/credentials', { name: 'second-admin', role: 'admin' });

      expect(issued.status).toBe(201);
      expect(issued.body).toMatchObject({ name: 'second-admin', role: 'admin', expiresAt: null });
      expect(issued.body.token).toMatch(TOKEN);
      const platformView = await platform.get(`/v1/tenants/${tenant.id}/credentials`);
      expect(platformView.body.data.map((credential: { id: string }) => credential.id)).toContain(issued.body.id);
      const usedByNewToken = await client(admin.url, issued.body.token).get('/v1/credentials');
      expect(usedByNewToken.status).toBe(200);
      expect(usedByNewToken.body.data).toHaveLength(4);
    });

    it("lists the admin's tenant's credentials, never a token, and nothing of another tenant", async () => {
      const tenant = await createTenant(admin.url);
      const other = await createTenant(admin.url);
      const issued = await client(admin.url, tenant.admin).post('/v1/credentials', { name: 'listed', role: 'verifier' });

      const listed = await client(admin.url, tenant.admin).get('/v1/credentials');

      expect(listed.status).toBe(200);
      expect(listed.body.data).toHaveLength(4);
      expect(listed.body.data.find((credential: { id: string }) => credential.id === issued.body.id)).toEqual({
        id: issued.body.id,
        name: 'listed',
        role: 'verifier',
        createdAt: issued.body.createdAt,
        expiresAt: null,
        revokedAt: null,
      });
      const text = JSON.stringify(listed.body);
      expect(text).not.toContain(issued.body.token);
      expect(text).not.toMatch(/kwc_[0-9A-Za-z]{38}/);
      const otherIds = (await platform.get(`/v1/tenants/${other.id}/credentials`)).body.data.map(
        (credential: { id: string }) => credential.id,
      );
      for (const id of otherIds) expect(text).not.toContain(id);
    });

    it('refuses an expiresAt in the past with 400 VALIDATION_FAILED naming expiresAt', async () => {
      const tenant = await createTenant(admin.url);

      const refused = await client(admin.url, tenant.admin).post('/v1/credentials', {
        name: 'stale',
        role: 'admin',
        expiresAt: new Date(Date.now() - 1_000).toISOString(),
      });

      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'expiresAt' })]);
      expect((await client(admin.url, tenant.admin).get('/v1/credentials')).body.data).toHaveLength(3);
    });

    it('answers 401 with WWW-Authenticate: Bearer once a credential has expired', async () => {
      const tenant = await createTenant(admin.url);
      const expiresAt = new Date(Date.now() + 1_500);
      const issued = await client(admin.url, tenant.admin).post('/v1/credentials', {
        name: 'short-lived',
        role: 'admin',
        expiresAt: expiresAt.toISOString(),
      });
      expect(issued.status).toBe(201);
      const shortLived = client(admin.url, issued.body.token);
      expect((await shortLived.get('/v1/credentials')).status).toBe(200);

      await sleep(expiresAt.getTime() - Date.now() + 100);
      const expired = await shortLived.get('/v1/credentials');

      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('UNAUTHENTICATED');
      expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    });
  });

  describe('DELETE /v1/credentials/{id} (tenant admin)', () => {
    it('revokes a credential: 204, and its token answers 401 with WWW-Authenticate: Bearer at once', async () => {
      const tenant = await createTenant(admin.url);
      const victim = await client(admin.url, tenant.admin).post('/v1/credentials', { name: 'to-revoke', role: 'admin' });
      expect((await client(admin.url, victim.body.token).get('/v1/credentials')).status).toBe(200);

      const revoked = await client(admin.url, tenant.admin).delete(`/v1/credentials/${victim.body.id}`);
      const afterwards = await client(admin.url, victim.body.token).get('/v1/credentials');

      expect(revoked.status).toBe(204);
      expect(revoked.body).toBeUndefined();
      expect(afterwards.status).toBe(401);
      expect(afterwards.body.code).toBe('UNAUTHENTICATED');
      expect(afterwards.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    });

    it('shows the revoked credential with revokedAt in the list', async () => {
      const tenant = await createTenant(admin.url);
      const victim = await client(admin.url, tenant.admin).post('/v1/credentials', { name: 'listed-revoked', role: 'auditor' });

      await client(admin.url, tenant.admin).delete(`/v1/credentials/${victim.body.id}`);
      const listed = await client(admin.url, tenant.admin).get('/v1/credentials');

      const entry = listed.body.data.find((credential: { id: string }) => credential.id === victim.body.id);
      expect(entry.revokedAt).toEqual(expect.any(String));
      expect(Number.isNaN(Date.parse(entry.revokedAt))).toBe(false);
    });

    it('is idempotent: revoking again answers 204 and keeps the first revokedAt', async () => {
      const tenant = await createTenant(admin.url);
      const tenantAdmin = client(admin.url, tenant.admin);
      const victim = await tenantAdmin.post('/v1/credentials', { name: 'twice', role: 'verifier' });

      await tenantAdmin.delete(`/v1/credentials/${victim.body.id}`);
      const firstRevokedAt = (await tenantAdmin.get('/v1/credentials')).body.data.find(
        (c: { id: string }) => c.id === victim.body.id,
      ).revokedAt;
      await sleep(20);
      const again = await tenantAdmin.delete(`/v1/credentials/${victim.body.id}`);

      expect(again.status).toBe(204);
      const secondRevokedAt = (await tenantAdmin.get('/v1/credentials')).body.data.find(
        (c: { id: string }) => c.id === victim.body.id,
      ).revokedAt;
      expect(secondRevokedAt).toBe(firstRevokedAt);
    });

    it('lets an admin revoke its own credential, after which it is refused', async () => {
      const tenant = await createTenant(admin.url);

      const revoked = await client(admin.url, tenant.admin).delete(
        `/v1/credentials/${(await platform.get(`/v1/tenants/${tenant.id}/credentials`)).body.data.find((c: { role: string }) => c.role === 'admin').id}`,
      );

      expect(revoked.status).toBe(204);
      expect((await client(admin.url, tenant.admin).get('/v1/credentials')).status).toBe(401);
    });

    it.each([
      ['an unknown uuid', () => randomUUID()],
      ['a malformed id', () => 'not-a-uuid'],
    ])('answers %s with 404 NOT_FOUND', async (_case, id) => {
      const tenant = await createTenant(admin.url);

      const missing = await client(admin.url, tenant.admin).delete(`/v1/credentials/${id()}`);

      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('NOT_FOUND');
    });
  });

  describe('revocation on the verify service', () => {
    it('refuses a revoked verifier credential within 1 second, even with a warm cache', async () => {
      const tenant = await createTenant(admin.url);
      const verifier = await client(admin.url, tenant.admin).post('/v1/credentials', { name: 'verifier-to-revoke', role: 'verifier' });
      const verifyAs = client(verify.url, verifier.body.token);
      // Warm the verify process's credential cache with a successful call.
      expect((await verifyAs.post('/v1/verify', { key: 'warm-up' })).status).toBe(200);
      expect((await verifyAs.post('/v1/verify', { key: 'still-warm' })).status).toBe(200);

      const revokeSentAt = Date.now();
      const revoked = await client(admin.url, tenant.admin).delete(`/v1/credentials/${verifier.body.id}`);
      expect(revoked.status).toBe(204);
      let last = await verifyAs.post('/v1/verify', { key: 'after-revoke' });
      while (last.status === 200 && Date.now() - revokeSentAt < 1_000) {
        await sleep(20);
        last = await verifyAs.post('/v1/verify', { key: 'after-revoke' });
      }
      const refusedAfterMs = Date.now() - revokeSentAt;

      expect(last.status).toBe(401);
      expect(last.body.code).toBe('UNAUTHENTICATED');
      expect(last.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      expect(refusedAfterMs).toBeLessThanOrEqual(1_000);
    });

    it("keeps serving the tenant's other verifiers after one is revoked", async () => {
      const tenant = await createTenant(admin.url);
      const doomed = await client(admin.url, tenant.admin).post('/v1/credentials', { name: 'doomed', role: 'verifier' });
      expect((await client(verify.url, tenant.verifier).post('/v1/verify', { key: 'x' })).status).toBe(200);

      await client(admin.url, tenant.admin).delete(`/v1/credentials/${doomed.body.id}`);
      await sleep(200);

      expect((await client(verify.url, tenant.verifier).post('/v1/verify', { key: 'x' })).status).toBe(200);
      expect((await client(verify.url, doomed.body.token).post('/v1/verify', { key: 'x' })).status).toBe(401);
    });

    it('refuses an expired verifier credential with 401', async () => {
      const tenant = await createTenant(admin.url);
      const expiresAt = new Date(Date.now() + 1_200);
      const shortLived = await platform.post(`/v1/tenants/${tenant.id}/credentials`, {
        name: 'short',
        role: 'verifier',
        expiresAt: expiresAt.toISOString(),
      });
      const verifyAs = client(verify.url, shortLived.body.token);
      expect((await verifyAs.post('/v1/verify', { key: 'x' })).status).toBe(200);

      await sleep(expiresAt.getTime() - Date.now() + 100);

      expect((await verifyAs.post('/v1/verify', { key: 'x' })).status).toBe(401);
    });
  });

  // Last in the file: it starts and closes an app of its own (see the note at the top).
  describe('tokens stay out of the logs', () => {
    it('writes no bearer token, issued token or credential token to any log line', async () => {
      const lines: string[] = [];
      const logged = await startAdminApi({
        env: { LOG_LEVEL: 'debug' },
        logDestination: { write: (line: string) => void lines.push(line) },
      });
      try {
        const tenant = await createTenant(logged.url);
        const issued = await client(logged.url, tenant.admin).post('/v1/credentials', { name: 'logged', role: 'admin' });
        await client(logged.url, tenant.admin).get('/v1/credentials');
        await client(logged.url, tenant.auditor).get('/v1/credentials'); // 403
        const unknown = generateSecretToken('kwc_');
        await request(logged.url, 'GET', '/v1/credentials', { token: unknown }); // 401
        await client(logged.url, issued.body.token).get('/v1/tenants'); // 403
        await sleep(100);

        expect(lines.length).toBeGreaterThan(0);
        const text = lines.join('');
        for (const secret of [TEST_PLATFORM_TOKEN, tenant.admin, tenant.auditor, tenant.verifier, issued.body.token, unknown]) {
          expect(text).not.toContain(secret);
        }
      } finally {
        await logged.close();
      }
    });
  });
});
