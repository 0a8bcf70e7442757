// Idempotency-Key (docs/api.md, Headers): replays, conflicts, bad keys, concurrency, scoping per
// caller, and the stored answer kept encrypted.
import { randomUUID } from 'node:crypto';
import { createCredential, createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client, request, type TestResponse } from './support/http-client';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

const uniqueName = (what: string) => `${what}-${randomUUID()}`;
const newKey = () => `key-${randomUUID()}`;

async function countTenantsNamed(name: string): Promise<number> {
  const [row] = await sql<{ count: string }>('owner', 'SELECT count(*) FROM tenants WHERE name = $1', [name]);
  return Number(row.count);
}

async function countCredentialsNamed(name: string): Promise<number> {
  const [row] = await sql<{ count: string }>('owner', 'SELECT count(*) FROM credentials WHERE name = $1', [name]);
  return Number(row.count);
}

async function storedRecords(
  idempotencyKey: string,
): Promise<Array<{ status_code: number | null; sealed_response: Buffer | null; principal: string }>> {
  return sql('owner', 'SELECT status_code, sealed_response, principal FROM idempotency_records WHERE idempotency_key = $1', [
    idempotencyKey,
  ]);
}

describe('Idempotency-Key', () => {
  let admin: RunningHttpApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = await startAdminApi();
    tenant = await createTenant(admin.url);
  });
  afterAll(() => admin.close());

  /** The three create routes that take the header, each with its caller and a way to count what it made. */
  const ROUTES = [
    {
      route: 'POST /v1/tenants',
      token: () => TEST_PLATFORM_TOKEN,
      path: () => '/v1/tenants',
      body: (name: string) => ({ name }),
      invalidBody: { name: '' },
      count: countTenantsNamed,
      issuesToken: false,
    },
    {
      route: 'POST /v1/tenants/{id}/credentials',
      token: () => TEST_PLATFORM_TOKEN,
      path: () => `/v1/tenants/${tenant.id}/credentials`,
      body: (name: string) => ({ name, role: 'admin' }),
      invalidBody: { name: 'x', role: 'owner' },
      count: countCredentialsNamed,
      issuesToken: true,
    },
    {
      route: 'POST /v1/credentials',
      token: () => tenant.admin,
      path: () => '/v1/credentials',
      body: (name: string) => ({ name, role: 'admin' }),
      invalidBody: { name: 'x', role: 'admin', expiresAt: new Date(Date.now() - 60_000).toISOString() },
      count: countCredentialsNamed,
      issuesToken: true,
    },
  ];

  describe.each(ROUTES)('on $route', ({ token, path, body, invalidBody, count, issuesToken }) => {
    const post = (payload: unknown, key?: string): Promise<TestResponse> =>
      request(admin.url, 'POST', path(), { token: token(), body: payload, headers: key === undefined ? {} : { 'idempotency-key': key } });

    it('creates a second thing for a second identical request without a key (the control)', async () => {
      const name = uniqueName('no-key');

      const first = await post(body(name));
      const second = await post(body(name));

      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.id).not.toBe(first.body.id);
      expect(await count(name)).toBe(2);
    });

    it('answers a retry with the same key and body with the same status and body, and creates nothing more', async () => {
      const name = uniqueName('retried');
      const key = newKey();

      const first = await post(body(name), key);
      const retry = await post(body(name), key);
      const third = await post(body(name), key);

      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(third.body).toEqual(first.body);
      if (issuesToken) expect(retry.body.token).toBe(first.body.token);
      expect(await count(name)).toBe(1);
      expect(await storedRecords(key)).toHaveLength(1);
    });

    if (issuesToken) {
      it('replays the token of the first answer, and that token authenticates', async () => {
        const name = uniqueName('working-token');
        const key = newKey();
        const first = await post(body(name), key);

        const retry = await post(body(name), key);
        const usedByReplayedToken = await client(admin.url, retry.body.token).get('/v1/credentials');

        expect(retry.body.token).toBe(first.body.token);
        expect(usedByReplayedToken.status).toBe(200);
      });

      it('keeps the plaintext token out of the stored answer', async () => {
        const name = uniqueName('sealed');
        const key = newKey();
        const created = await post(body(name), key);
        expect(created.status).toBe(201);

        const [record] = await storedRecords(key);

        expect(record.status_code).toBe(201);
        expect(Buffer.isBuffer(record.sealed_response)).toBe(true);
        const stored = record.sealed_response as Buffer;
        expect(stored.includes(Buffer.from(created.body.token, 'utf8'))).toBe(false);
        expect(stored.includes(Buffer.from(created.body.token.slice(4, 36), 'utf8'))).toBe(false);
        expect(stored.toString('latin1')).not.toContain(created.body.token.slice(4, 20));
        expect(stored.includes(Buffer.from(Buffer.from(created.body.token).toString('base64')))).toBe(false);
        // The whole answer is sealed, not just the token.
        expect(stored.includes(Buffer.from(name, 'utf8'))).toBe(false);
      });
    }

    it('answers the same key with another body with 422 IDEMPOTENCY_KEY_REUSED and creates nothing', async () => {
      const key = newKey();
      const firstName = uniqueName('first');
      const otherName = uniqueName('other');
      await post(body(firstName), key);

      const reused = await post(body(otherName), key);

      expect(reused.status).toBe(422);
      expect(reused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await count(otherName)).toBe(0);
      expect(await count(firstName)).toBe(1);
    });

    it.each([
      ['an empty key', ''],
      ['a key of 256 characters', 'k'.repeat(256)],
      ['a key with a tab', 'tab\there'],
      ['a key with a non-ASCII character', 'caf\u00e9'],
    ])('refuses %s with 400 VALIDATION_FAILED naming Idempotency-Key, and creates nothing', async (_case, key) => {
      const name = uniqueName('bad-key');

      const refused = await post(body(name), key);

      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
      expect(await count(name)).toBe(0);
    });

    it.each([
      ['a key of exactly 255 characters', () => 'm'.repeat(240) + randomUUID().replace(/-/g, '').slice(0, 15)],
      ['a key of one character', () => String.fromCharCode(33 + Math.floor(Math.random() * 94))],
      ['a key with inner spaces and punctuation', () => `a b!~{${randomUUID()}}`],
    ])('accepts %s', async (_case, makeKey) => {
      const key = makeKey();
      // A one-character key is bound to repeat across the run's platform-operator requests (one
      // caller, one scope): clear a record an earlier test left under it.
      await sql('owner', 'DELETE FROM idempotency_records WHERE idempotency_key = $1', [key]);
      const accepted = await post(body(uniqueName('good-key')), key);

      expect(accepted.status).toBe(201);
    });

    it('creates exactly one thing for 10 concurrent requests with one key, and every 201 answer is the same', async () => {
      const name = uniqueName('concurrent');
      const key = newKey();

      const answers = await Promise.all(Array.from({ length: 10 }, () => post(body(name), key)));

      expect(await count(name)).toBe(1);
      const created = answers.filter((answer) => answer.status === 201);
      const inUse = answers.filter((answer) => answer.status !== 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      for (const answer of created) expect(answer.body).toEqual(created[0].body);
      for (const answer of inUse) {
        expect(answer.status).toBe(409);
        expect(answer.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      }
      // A retry after the dust settles gets the same answer as the winners.
      expect((await post(body(name), key)).body).toEqual(created[0].body);
    });

    it('does not burn the key on a request that failed validation', async () => {
      const key = newKey();
      const name = uniqueName('after-failure');

      const failed = await post(invalidBody, key);
      const later = await post(body(name), key);
      const retry = await post(body(name), key);

      expect(failed.status).toBe(400);
      expect(later.status).toBe(201);
      expect(retry.body).toEqual(later.body);
      expect(await count(name)).toBe(1);
    });
  });

  describe('scope', () => {
    it('treats the same key from two credentials of one tenant as two requests', async () => {
      const secondAdmin = await createCredential(admin.url, tenant.id, 'admin', 'second-admin');
      const key = newKey();
      const name = uniqueName('per-caller');

      const byFirst = await client(admin.url, tenant.admin).post(
        '/v1/credentials',
        { name, role: 'auditor' },
        { headers: { 'idempotency-key': key } },
      );
      const bySecond = await client(admin.url, secondAdmin.token).post(
        '/v1/credentials',
        { name, role: 'auditor' },
        { headers: { 'idempotency-key': key } },
      );

      expect(byFirst.status).toBe(201);
      expect(bySecond.status).toBe(201);
      expect(bySecond.body.id).not.toBe(byFirst.body.id);
      expect(bySecond.body.token).not.toBe(byFirst.body.token);
      expect(await countCredentialsNamed(name)).toBe(2);
      expect(await storedRecords(key)).toHaveLength(2);
    });

    it("treats the same key from the platform operator and from a tenant's admin as two requests", async () => {
      const key = newKey();
      const name = uniqueName('platform-and-admin');

      const byPlatform = await client(admin.url, TEST_PLATFORM_TOKEN).post(
        `/v1/tenants/${tenant.id}/credentials`,
        { name, role: 'auditor' },
        { headers: { 'idempotency-key': key } },
      );
      const byAdmin = await client(admin.url, tenant.admin).post(
        '/v1/credentials',
        { name, role: 'auditor' },
        { headers: { 'idempotency-key': key } },
      );

      expect(byPlatform.status).toBe(201);
      expect(byAdmin.status).toBe(201);
      expect(byAdmin.body.id).not.toBe(byPlatform.body.id);
      expect(await countCredentialsNamed(name)).toBe(2);
    });

    it('treats the same key from admins of two tenants as two requests, each in its own tenant', async () => {
      const other = await createTenant(admin.url);
      const key = newKey();
      const name = uniqueName('two-tenants');

      const inFirst = await client(admin.url, tenant.admin).post(
        '/v1/credentials',
        { name, role: 'verifier' },
        { headers: { 'idempotency-key': key } },
      );
      const inOther = await client(admin.url, other.admin).post(
        '/v1/credentials',
        { name, role: 'verifier' },
        { headers: { 'idempotency-key': key } },
      );

      expect([inFirst.status, inOther.status]).toEqual([201, 201]);
      const rows = await sql<{ tenant_id: string }>('owner', 'SELECT tenant_id FROM credentials WHERE name = $1 ORDER BY created_at', [
        name,
      ]);
      expect(rows.map((row) => row.tenant_id).sort()).toEqual([tenant.id, other.id].sort());
    });
  });
});
