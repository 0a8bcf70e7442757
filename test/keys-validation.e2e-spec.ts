// docs/api.md, Conventions, Keys and Limits: every invalid field of the keys routes is a 400 VALIDATION_FAILED
// that names the field, and a refused request writes nothing: no key, no audit event, no change.
import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client, type TestResponse } from './support/http-client';
import { createKey } from './support/key-builders';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';

type Body = unknown;
type Case = [label: string, body: Body, field: string];

const inThePast = () => new Date(Date.now() - 60_000).toISOString();
const hundredOneScopes = Array.from({ length: 101 }, (_, i) => `scope-${i}`);
/** JSON.stringify({ b: 'x'.repeat(n) }) is n + 8 bytes. */
const metaOfBytes = (bytes: number) => ({ b: 'x'.repeat(bytes - 8) });

function expectRefused(response: TestResponse, field: string): void {
  const summary = {
    status: response.status,
    code: response.body?.code,
    fields: (response.body?.errors ?? []).map((error: any) => error.field),
  };
  expect(summary).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: expect.arrayContaining([field]) });
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  for (const error of response.body.errors) expect(typeof error.message).toBe('string');
}

/** The fields both POST and PATCH validate the same way (PATCH adds its own below). */
const SHARED_CASES: Case[] = [
  ['an empty name', { name: '' }, 'name'],
  ['a 201-character name', { name: 'n'.repeat(201) }, 'name'],
  ['a name that is not a string', { name: 42 }, 'name'],
  ['an uppercase scope', { scopes: ['Billing'] }, 'scopes'],
  ['a scope with a space', { scopes: ['a b'] }, 'scopes'],
  ['a scope with a non-ASCII letter', { scopes: ['é'] }, 'scopes'],
  ['an empty scope', { scopes: [''] }, 'scopes'],
  ["a scope with '*' first", { scopes: ['*:read'] }, 'scopes'],
  ["a scope with '*' in the middle", { scopes: ['a*b'] }, 'scopes'],
  ["a scope with two '*'", { scopes: ['a**'] }, 'scopes'],
  ['101 scopes', { scopes: hundredOneScopes }, 'scopes'],
  ['a 65-character scope', { scopes: ['s'.repeat(65)] }, 'scopes'],
  ['a scope that is not a string', { scopes: [1] }, 'scopes'],
  ['scopes that are not an array', { scopes: 'billing:read' }, 'scopes'],
  ['meta over 4 KiB', { meta: metaOfBytes(4097) }, 'meta'],
  ['meta over 4 KiB in multi-byte characters', { meta: { b: 'é'.repeat(2045) } }, 'meta'],
  ['meta that is an array', { meta: [1, 2] }, 'meta'],
  ['meta that is a string', { meta: 'plan=pro' }, 'meta'],
  ['meta that is a number', { meta: 7 }, 'meta'],
  ['expiresAt in the past', { expiresAt: inThePast() }, 'expiresAt'],
  ['expiresAt that is not a date', { expiresAt: 'tomorrow' }, 'expiresAt'],
  ['expiresAt with month 13', { expiresAt: '2099-13-01T00:00:00Z' }, 'expiresAt'],
  ['expiresAt as a number', { expiresAt: 4_102_444_800_000 }, 'expiresAt'],
  ['negative remaining', { remaining: -1 }, 'remaining'],
  ['fractional remaining', { remaining: 1.5 }, 'remaining'],
  ['remaining as a string', { remaining: '5' }, 'remaining'],
  ['an IPv4 CIDR prefix over 32', { ipAllowlist: ['10.0.0.0/33'] }, 'ipAllowlist'],
  ['an IPv6 CIDR prefix over 128', { ipAllowlist: ['2001:db8::/129'] }, 'ipAllowlist'],
  ['a host name in the allowlist', { ipAllowlist: ['example.com'] }, 'ipAllowlist'],
  ['a three-part IPv4 address', { ipAllowlist: ['10.0.0'] }, 'ipAllowlist'],
  ['an empty CIDR prefix', { ipAllowlist: ['10.0.0.0/'] }, 'ipAllowlist'],
  ['an allowlist that is not an array', { ipAllowlist: '10.0.0.1' }, 'ipAllowlist'],
  ['a valid entry next to an invalid one', { ipAllowlist: ['10.0.0.1', '300.0.0.1'] }, 'ipAllowlist'],
  ['a fractional rateLimit.limit', { rateLimit: { limit: 1.5, windowSeconds: 60 } }, 'rateLimit.limit'],
  ['a zero rateLimit.limit', { rateLimit: { limit: 0, windowSeconds: 60 } }, 'rateLimit.limit'],
  ['rateLimit.windowSeconds 0', { rateLimit: { limit: 10, windowSeconds: 0 } }, 'rateLimit.windowSeconds'],
  ['rateLimit without windowSeconds', { rateLimit: { limit: 10 } }, 'rateLimit.windowSeconds'],
  ['rateLimit.limit as a string', { rateLimit: { limit: '10', windowSeconds: 60 } }, 'rateLimit.limit'],
  ['an unknown field in rateLimit', { rateLimit: { limit: 10, windowSeconds: 60, foo: 1 } }, 'rateLimit.foo'],
  ['rateLimit that is a number', { rateLimit: 10 }, 'rateLimit'],
  ['rateLimit that is an array', { rateLimit: [{ limit: 10, windowSeconds: 60 }] }, 'rateLimit'],
  ['rotation that is an array', { rotation: [{ intervalSeconds: 60, gracePeriodSeconds: 0 }] }, 'rotation'],
  ['rotation that is a string', { rotation: 'daily' }, 'rotation'],
  ['rotation.intervalSeconds 0', { rotation: { intervalSeconds: 0, gracePeriodSeconds: 0 } }, 'rotation.intervalSeconds'],
  ['rotation.gracePeriodSeconds -1', { rotation: { intervalSeconds: 60, gracePeriodSeconds: -1 } }, 'rotation.gracePeriodSeconds'],
  ['rotation without gracePeriodSeconds', { rotation: { intervalSeconds: 60 } }, 'rotation.gracePeriodSeconds'],
  ['an unknown field in rotation', { rotation: { intervalSeconds: 60, gracePeriodSeconds: 0, bar: true } }, 'rotation.bar'],
];

/** Whole create bodies: each is valid but for the one field named. */
const CREATE_CASES: Case[] = [
  ['no name', { scopes: ['a'] }, 'name'],
  ['a null name', { name: null }, 'name'],
  ['an empty ownerId', { name: 'valid', ownerId: '' }, 'ownerId'],
  ['a 201-character ownerId', { name: 'valid', ownerId: 'o'.repeat(201) }, 'ownerId'],
  ["environment 'prod'", { name: 'valid', environment: 'prod' }, 'environment'],
  ["environment 'LIVE'", { name: 'valid', environment: 'LIVE' }, 'environment'],
  ['an unknown top-level field', { name: 'valid', plaintext: 'kw_live_x' }, 'plaintext'],
  ['a read-only field', { name: 'valid', status: 'revoked' }, 'status'],
  ['previousKeyId, which only rotation sets', { name: 'valid', previousKeyId: '00000000-0000-0000-0000-000000000000' }, 'previousKeyId'],
];

const PATCH_CASES: Case[] = [
  ['a null name', { name: null }, 'name'],
  ['null scopes', { scopes: null }, 'scopes'],
  ['null meta', { meta: null }, 'meta'],
  ['enabled as a string', { enabled: 'false' }, 'enabled'],
  ['a null enabled', { enabled: null }, 'enabled'],
  ['environment, which cannot change', { environment: 'test' }, 'environment'],
  ['ownerId, which cannot change', { ownerId: 'someone-else' }, 'ownerId'],
  ['an unknown top-level field', { foo: 1 }, 'foo'],
  ['a valid change next to an invalid one', { name: 'fine', remaining: -1 }, 'remaining'],
];

describe('keys validation', () => {
  let admin: RunningHttpApp;
  let tenant: TestTenant;
  let api: ReturnType<typeof client>;
  /** A key that every PATCH, rotate and revoke case is aimed at, and that must never change. */
  let target: any;

  async function writtenRows(): Promise<{ keys: number; events: number; idempotency: number }> {
    const [row] = await sql<{ keys: number; events: number; idempotency: number }>(
      'owner',
      `SELECT (SELECT count(*) FROM api_keys WHERE tenant_id = $1)::int AS keys,
              (SELECT count(*) FROM audit_events WHERE tenant_id = $1)::int AS events,
              (SELECT count(*) FROM idempotency_records WHERE tenant_id = $1)::int AS idempotency`,
      [tenant.id],
    );
    return row;
  }

  async function targetRow(): Promise<unknown> {
    const [row] = await sql('owner', `SELECT to_jsonb(k) - 'key_hash' AS row FROM api_keys k WHERE id = $1`, [target.id]);
    return row.row;
  }

  /** Sends the request and checks it is refused naming `field`, and that nothing was written. */
  async function expectRefusedWithoutWrites(send: () => Promise<TestResponse>, field: string): Promise<void> {
    const before = { rows: await writtenRows(), target: await targetRow() };
    expectRefused(await send(), field);
    expect({ rows: await writtenRows(), target: await targetRow() }).toEqual(before);
  }

  beforeAll(async () => {
    admin = await startAdminApi();
    tenant = await createTenant(admin.url);
    api = client(admin.url, tenant.admin);
    target = await createKey(admin.url, tenant.admin, {
      name: 'target',
      scopes: ['a:read'],
      meta: { kept: true },
      remaining: 10,
      rateLimit: { limit: 5, windowSeconds: 60 },
      ipAllowlist: ['10.0.0.0/8'],
      rotation: { intervalSeconds: 3600, gracePeriodSeconds: 60 },
    });
  });
  afterAll(() => admin.close());

  describe('POST /v1/keys', () => {
    const withName = SHARED_CASES.map(([label, body, field]): Case => [label, { name: 'valid', ...(body as object) }, field]);
    it.each([...withName, ...CREATE_CASES])('refuses %s, naming the field, and creates nothing', async (_label, body, field) => {
      await expectRefusedWithoutWrites(() => api.post('/v1/keys', body), field);
    });

    it.each([
      ['an array', [{ name: 'x' }]],
      ['a string', 'name'],
      ['a number', 42],
      ['null', null],
    ])('refuses a body that is %s, naming the body, and creates nothing', async (_label, body) => {
      await expectRefusedWithoutWrites(
        () => api.post('/v1/keys', undefined, { rawBody: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        'body',
      );
    });

    it('names every offending field of one request', async () => {
      const refused = await api.post('/v1/keys', { name: '', scopes: ['Bad'], remaining: -1, environment: 'prod' });
      expect(refused.status).toBe(400);
      const fields = refused.body.errors.map((error: any) => error.field);
      expect(fields).toEqual(expect.arrayContaining(['name', 'scopes', 'remaining', 'environment']));
    });

    it('leaves no idempotency record behind: the key may be used again with a valid body', async () => {
      const headers = { 'idempotency-key': 'validation-then-valid' };
      await expectRefusedWithoutWrites(() => api.post('/v1/keys', { name: '' }, { headers }), 'name');
      const created = await api.post('/v1/keys', { name: 'valid after all' }, { headers });
      expect(created.status).toBe(201);
      expect(created.body.name).toBe('valid after all');
    });

    it('accepts the boundaries it refuses one step past: meta of exactly 4096 bytes, 100 scopes, CIDR /32 and /128', async () => {
      const created = await api.post('/v1/keys', {
        name: 'boundaries',
        meta: metaOfBytes(4096),
        scopes: hundredOneScopes.slice(0, 100),
        ipAllowlist: ['10.0.0.1/32', '2001:db8::1/128', '0.0.0.0/0', '::/0'],
        remaining: 0,
        rateLimit: { limit: 1, windowSeconds: 1 },
        rotation: { intervalSeconds: 1, gracePeriodSeconds: 0 },
      });
      expect(created.status).toBe(201);
      expect(Buffer.byteLength(JSON.stringify(created.body.meta))).toBe(4096);
    });
  });

  describe('PATCH /v1/keys/{id}', () => {
    it.each([...SHARED_CASES, ...PATCH_CASES])('refuses %s, naming the field, and changes nothing', async (_label, body, field) => {
      await expectRefusedWithoutWrites(() => api.patch(`/v1/keys/${target.id}`, body), field);
    });

    it.each([
      ['an array', [{ name: 'x' }]],
      ['a string', 'name'],
      ['null', null],
    ])('refuses a body that is %s, naming the body, and changes nothing', async (_label, body) => {
      await expectRefusedWithoutWrites(
        () =>
          api.patch(`/v1/keys/${target.id}`, undefined, { rawBody: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        'body',
      );
    });

    it('refuses an empty body and changes nothing', async () => {
      const before = await targetRow();
      const refused = await api.patch(`/v1/keys/${target.id}`, {});
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(await targetRow()).toEqual(before);
    });
  });

  describe('POST /v1/keys/{id}/rotate', () => {
    it.each([
      ['a negative gracePeriodSeconds', { gracePeriodSeconds: -1 }, 'gracePeriodSeconds'],
      ['gracePeriodSeconds as a string', { gracePeriodSeconds: 'x' }, 'gracePeriodSeconds'],
      ['gracePeriodSeconds as a numeric string', { gracePeriodSeconds: '60' }, 'gracePeriodSeconds'],
      ['a fractional gracePeriodSeconds', { gracePeriodSeconds: 1.5 }, 'gracePeriodSeconds'],
      ['a gracePeriodSeconds over a year', { gracePeriodSeconds: 31_536_001 }, 'gracePeriodSeconds'],
      ['an unknown field', { gracePeriod: 60 }, 'gracePeriod'],
    ] as Case[])('refuses %s, naming the field, and makes no successor', async (_label, body, field) => {
      await expectRefusedWithoutWrites(() => api.post(`/v1/keys/${target.id}/rotate`, body), field);
    });

    it('refuses a body that is an array and makes no successor', async () => {
      await expectRefusedWithoutWrites(() => api.post(`/v1/keys/${target.id}/rotate`, [{ gracePeriodSeconds: 1 }]), 'body');
    });
  });

  describe('POST /v1/keys/{id}/revoke', () => {
    it.each([
      ['a reason over 500 characters', { reason: 'r'.repeat(501) }, 'reason'],
      ['a reason that is not a string', { reason: 42 }, 'reason'],
      ['an unknown field', { why: 'x' }, 'why'],
    ] as Case[])('refuses %s, naming the field, and revokes nothing', async (_label, body, field) => {
      await expectRefusedWithoutWrites(() => api.post(`/v1/keys/${target.id}/revoke`, body), field);
      expect((await api.get(`/v1/keys/${target.id}`)).body.status).toBe('active');
    });

    it('accepts a reason of exactly 500 characters', async () => {
      const key = await createKey(admin.url, tenant.admin);
      const revoked = await api.post(`/v1/keys/${key.id}/revoke`, { reason: 'r'.repeat(500) });
      expect(revoked.status).toBe(200);
      expect(revoked.body.status).toBe('revoked');
    });
  });

  describe('GET /v1/keys', () => {
    const forgedCursor = Buffer.from(JSON.stringify(['yesterday', '00000000-0000-0000-0000-000000000000'])).toString('base64url');
    it.each([
      ['status=bogus', 'status'],
      ['status=ACTIVE', 'status'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=garbage', 'cursor'],
      [`cursor=${forgedCursor}`, 'cursor'],
      [`cursor=${'a'.repeat(600)}`, 'cursor'],
      ['ownerId=', 'ownerId'],
      [`ownerId=${'o'.repeat(201)}`, 'ownerId'],
    ])('refuses ?%s, naming the query value', async (query, field) => {
      expectRefused(await api.get(`/v1/keys?${query}`), field);
    });

    it('accepts limit=1 and limit=100', async () => {
      expect((await api.get('/v1/keys?limit=1')).body.data).toHaveLength(1);
      expect((await api.get('/v1/keys?limit=100')).status).toBe(200);
    });
  });
});
