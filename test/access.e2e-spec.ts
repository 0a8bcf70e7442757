// docs/api.md, "Credentials and roles": who gets what on every route, and that another
// tenant's things are 404, never 403.
import { generateSecretToken } from '@keyward/platform';
import { randomUUID } from 'node:crypto';
import { createCredential, createTenant, type TestTenant } from './support/builders';
import { client, request, type TestResponse } from './support/http-client';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

type Caller = 'none' | 'garbage' | 'malformed' | 'unknown' | 'platform' | 'admin' | 'auditor' | 'verifier';
const CALLERS: Caller[] = ['none', 'garbage', 'malformed', 'unknown', 'platform', 'admin', 'auditor', 'verifier'];
const UNAUTHENTICATED: Caller[] = ['none', 'garbage', 'malformed', 'unknown'];

/** A well-shaped credential token (valid checksum) that was never issued. */
const NEVER_ISSUED = generateSecretToken('kwc_');

interface Context {
  adminUrl: string;
  /** The callers' own tenant. */
  home: TestTenant;
  /** A tenant the platform operator acts on (suspend/resume), so the callers' tenant stays active. */
  target: TestTenant;
  /** A credential of `home` that every refused DELETE aims at; it must survive them all. */
  victimId: string;
}

function authorizationOf(caller: Caller, home: TestTenant): Record<string, string> {
  switch (caller) {
    case 'none':
      return {};
    case 'garbage':
      return { authorization: 'Bearer garbage' };
    case 'malformed':
      return { authorization: 'Basic dXNlcjpwYXNzd29yZA==' };
    case 'unknown':
      return { authorization: `Bearer ${NEVER_ISSUED}` };
    case 'platform':
      return { authorization: `Bearer ${TEST_PLATFORM_TOKEN}` };
    default:
      return { authorization: `Bearer ${home[caller]}` };
  }
}

interface Route {
  name: string;
  /** Who may call it, with the status they get. */
  allowed: Partial<Record<Caller, number>>;
  call(context: Context, headers: Record<string, string>): Promise<TestResponse>;
}

const ROUTES: Route[] = [
  {
    name: 'POST /v1/tenants',
    allowed: { platform: 201 },
    call: (c, headers) => request(c.adminUrl, 'POST', '/v1/tenants', { headers, body: { name: 'matrix' } }),
  },
  {
    name: 'GET /v1/tenants',
    allowed: { platform: 200 },
    call: (c, headers) => request(c.adminUrl, 'GET', '/v1/tenants', { headers }),
  },
  {
    name: 'GET /v1/tenants/{id}',
    allowed: { platform: 200 },
    call: (c, headers) => request(c.adminUrl, 'GET', `/v1/tenants/${c.target.id}`, { headers }),
  },
  {
    name: 'POST /v1/tenants/{id}/suspend',
    allowed: { platform: 200 },
    call: (c, headers) => request(c.adminUrl, 'POST', `/v1/tenants/${c.target.id}/suspend`, { headers }),
  },
  {
    name: 'POST /v1/tenants/{id}/resume',
    allowed: { platform: 200 },
    call: (c, headers) => request(c.adminUrl, 'POST', `/v1/tenants/${c.target.id}/resume`, { headers }),
  },
  {
    name: 'POST /v1/tenants/{id}/credentials',
    allowed: { platform: 201 },
    call: (c, headers) =>
      request(c.adminUrl, 'POST', `/v1/tenants/${c.target.id}/credentials`, { headers, body: { name: 'matrix', role: 'auditor' } }),
  },
  {
    name: 'GET /v1/tenants/{id}/credentials',
    allowed: { platform: 200 },
    call: (c, headers) => request(c.adminUrl, 'GET', `/v1/tenants/${c.target.id}/credentials`, { headers }),
  },
  {
    name: 'POST /v1/credentials',
    allowed: { admin: 201 },
    call: (c, headers) => request(c.adminUrl, 'POST', '/v1/credentials', { headers, body: { name: 'matrix', role: 'auditor' } }),
  },
  {
    name: 'GET /v1/credentials',
    allowed: { admin: 200 },
    call: (c, headers) => request(c.adminUrl, 'GET', '/v1/credentials', { headers }),
  },
  {
    name: 'DELETE /v1/credentials/{id}',
    allowed: { admin: 204 },
    call: async (c, headers) => {
      // The allowed caller revokes a credential made for the purpose; everyone else aims at the victim.
      const isAdmin = headers.authorization === `Bearer ${c.home.admin}`;
      const id = isAdmin ? (await createCredential(c.adminUrl, c.home.id, 'auditor', 'to-delete')).id : c.victimId;
      return request(c.adminUrl, 'DELETE', `/v1/credentials/${id}`, { headers });
    },
  },
];

function expectedOf(route: Route, caller: Caller): string {
  if (route.allowed[caller] !== undefined) return String(route.allowed[caller]);
  return UNAUTHENTICATED.includes(caller) ? '401 UNAUTHENTICATED' : '403 FORBIDDEN';
}

const MATRIX = ROUTES.flatMap((route) => CALLERS.map((caller) => ({ route, caller, expected: expectedOf(route, caller) })));

// Every app lives until the end of the file: apps in one process share passport's global strategy
// registry, so the last app started authenticates admin requests for all of them, and closing it
// early would break the others (see the report on BearerStrategy).
describe('access', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let context: Context;

  beforeAll(async () => {
    admin = await startAdminApi();
    verify = await startVerify();
    const home = await createTenant(admin.url);
    const target = await createTenant(admin.url);
    const victim = await createCredential(admin.url, home.id, 'admin', 'victim');
    context = { adminUrl: admin.url, home, target, victimId: victim.id };
  });
  afterAll(async () => {
    await verify.close();
    await admin.close();
  });

  describe('admin API role matrix', () => {
    it.each(MATRIX.map(({ route, caller, expected }) => [route.name, caller, expected, route] as const))(
      '%s as %s answers %s',
      async (_name, caller, expected, route) => {
        const response = await route.call(context, authorizationOf(caller, context.home));

        const [status, code] = expected.split(' ');
        expect(response.status).toBe(Number(status));
        if (code) {
          expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(response.body.code).toBe(code);
        }
        if (status === '401') expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
        else expect(response.headers.get('www-authenticate')).toBeNull();
      },
    );

    it('left the victim credential unrevoked through every refused DELETE', async () => {
      const listed = await client(admin.url, TEST_PLATFORM_TOKEN).get(`/v1/tenants/${context.home.id}/credentials?limit=100`);

      const victim = listed.body.data.find((credential: { id: string }) => credential.id === context.victimId);
      expect(victim.revokedAt).toBeNull();
    });

    it.each([
      ['an empty Bearer', 'Bearer '],
      ['a lone scheme', 'Bearer'],
      ['a token with spaces', 'Bearer kwc_a b c'],
      ['a lower-case scheme with a garbage token', 'bearer garbage'],
      ['a token with a broken checksum', `Bearer ${NEVER_ISSUED.slice(0, -1)}${NEVER_ISSUED.endsWith('0') ? '1' : '0'}`],
      ['the platform token with a suffix', `Bearer ${TEST_PLATFORM_TOKEN}x`],
    ])('answers %s with 401 UNAUTHENTICATED and WWW-Authenticate: Bearer', async (_case, authorization) => {
      const response = await request(admin.url, 'GET', '/v1/tenants', { headers: { authorization } });

      expect(response.status).toBe(401);
      expect(response.body.code).toBe('UNAUTHENTICATED');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    });

    it("refuses a refused caller's POST before it creates anything", async () => {
      const name = `not-created-${randomUUID()}`;
      for (const caller of ['none', 'garbage', 'admin', 'auditor', 'verifier'] as const) {
        await request(admin.url, 'POST', '/v1/tenants', { headers: authorizationOf(caller, context.home), body: { name } });
      }

      const all = await client(admin.url, TEST_PLATFORM_TOKEN).get('/v1/tenants?limit=100');
      let names: string[] = all.body.data.map((tenant: { name: string }) => tenant.name);
      let cursor = all.body.nextCursor;
      while (cursor) {
        const page = await client(admin.url, TEST_PLATFORM_TOKEN).get(`/v1/tenants?limit=100&cursor=${encodeURIComponent(cursor)}`);
        names = names.concat(page.body.data.map((tenant: { name: string }) => tenant.name));
        cursor = page.body.nextCursor;
      }
      expect(names).not.toContain(name);
    });
  });

  describe('verify service', () => {
    const EXPECTED: Record<Caller, string> = {
      none: '401 UNAUTHENTICATED',
      garbage: '401 UNAUTHENTICATED',
      malformed: '401 UNAUTHENTICATED',
      unknown: '401 UNAUTHENTICATED',
      platform: '403 FORBIDDEN',
      admin: '403 FORBIDDEN',
      auditor: '403 FORBIDDEN',
      verifier: '200',
    };

    it.each(CALLERS.map((caller) => [caller, EXPECTED[caller]] as const))('POST /v1/verify as %s answers %s', async (caller, expected) => {
      const response = await request(verify.url, 'POST', '/v1/verify', {
        headers: authorizationOf(caller, context.home),
        body: { key: 'kw_live_x' },
      });

      const [status, code] = expected.split(' ');
      expect(response.status).toBe(Number(status));
      if (code) {
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(response.body.code).toBe(code);
      } else {
        expect(response.body).toMatchObject({ valid: false, code: 'MALFORMED' });
      }
      if (status === '401') expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      else expect(response.headers.get('www-authenticate')).toBeNull();
    });

    it('refuses the same unknown token every time, also once it is cached', async () => {
      const first = await request(verify.url, 'POST', '/v1/verify', { token: NEVER_ISSUED, body: { key: 'x' } });
      const second = await request(verify.url, 'POST', '/v1/verify', { token: NEVER_ISSUED, body: { key: 'x' } });

      expect(first.status).toBe(401);
      expect(second.status).toBe(401);
    });
  });

  describe('across tenants', () => {
    let a: TestTenant;
    let b: TestTenant;
    let bCredential: { id: string; token: string };

    beforeAll(async () => {
      a = await createTenant(admin.url);
      b = await createTenant(admin.url);
      bCredential = await createCredential(admin.url, b.id, 'admin', 'b-second-admin');
    });

    it("answers tenant A's admin deleting tenant B's credential with 404 NOT_FOUND, and B's credential still works", async () => {
      const attempt = await client(admin.url, a.admin).delete(`/v1/credentials/${bCredential.id}`);

      expect(attempt.status).toBe(404);
      expect(attempt.body.code).toBe('NOT_FOUND');
      const stillWorks = await client(admin.url, bCredential.token).get('/v1/credentials');
      expect(stillWorks.status).toBe(200);
      const entry = stillWorks.body.data.find((credential: { id: string }) => credential.id === bCredential.id);
      expect(entry.revokedAt).toBeNull();
    });

    it("answers another tenant's credential exactly like an id that does not exist", async () => {
      const foreign = await client(admin.url, a.admin).delete(`/v1/credentials/${bCredential.id}`);
      const nonexistent = await client(admin.url, a.admin).delete(`/v1/credentials/${randomUUID()}`);

      expect(foreign.status).toBe(nonexistent.status);
      expect(foreign.body.code).toBe(nonexistent.body.code);
      expect(foreign.body.detail).toBe(nonexistent.body.detail);
      expect(foreign.body.title).toBe(nonexistent.body.title);
    });

    it("never shows tenant B's credentials to tenant A's admin", async () => {
      const listed = await client(admin.url, a.admin).get('/v1/credentials?limit=100');

      const ids = listed.body.data.map((credential: { id: string }) => credential.id);
      expect(ids).not.toContain(bCredential.id);
      expect(ids).toHaveLength(3);
    });

    it("keeps tenant B's verifier working on the verify service after A tried to revoke it", async () => {
      const bVerifier = (await client(admin.url, TEST_PLATFORM_TOKEN).get(`/v1/tenants/${b.id}/credentials`)).body.data.find(
        (credential: { role: string }) => credential.role === 'verifier',
      );
      expect((await client(verify.url, b.verifier).post('/v1/verify', { key: 'x' })).status).toBe(200);

      const attempt = await client(admin.url, a.admin).delete(`/v1/credentials/${bVerifier.id}`);
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(attempt.status).toBe(404);
      expect((await client(verify.url, b.verifier).post('/v1/verify', { key: 'x' })).status).toBe(200);
    });
  });
});
