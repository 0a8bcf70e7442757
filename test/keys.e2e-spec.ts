// docs/api.md, Keys, over real HTTP: issue, list, get, patch, status, rotate and revoke, field by field.
import { randomUUID } from 'node:crypto';
import { createTenant, type TestTenant } from './support/builders';
import { client } from './support/http-client';
import { createKey, inBatches, KEY_RESOURCE_FIELDS, KEY_SHAPE } from './support/key-builders';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';

const HEAD_LENGTH = 'kw_live_'.length;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isIsoInstant(value: unknown): boolean {
  return typeof value === 'string' && new Date(value).toISOString() === value;
}

/** Every field the create body may carry, each set to something other than its default. */
function fullBody(expiresAt: string) {
  return {
    name: 'billing service (prod)',
    ownerId: 'customer-42',
    scopes: ['billing:read', 'billing:*', 'reports.v2:list-all', '*'],
    environment: 'test',
    expiresAt,
    meta: { plan: 'pro', seats: 12, tags: ['a', 'b'], nested: { ok: true, nothing: null } },
    rateLimit: { limit: 100, windowSeconds: 60 },
    remaining: 5000,
    ipAllowlist: ['203.0.113.7', '198.51.100.0/24', '2001:db8::1', '2001:db8:abcd::/48', '2001:DB8:0:0::CAFE', '0.0.0.0/0'],
    rotation: { intervalSeconds: 86_400, gracePeriodSeconds: 3_600 },
  };
}

/** The v1.1 fields a v1 field's change shows in: rateLimit is the limit named `key`, remaining is credits.remaining. */
function v11ViewOf(field: string, value: any): Record<string, unknown> {
  if (field === 'rateLimit') return { rateLimits: value ? [{ name: 'key', ...value, algorithm: 'fixed', apply: 'always' }] : [] };
  if (field === 'remaining') return { credits: value === null ? null : { remaining: value, refill: null, refilledAt: null } };
  return {};
}

describe('keys', () => {
  let admin: RunningHttpApp;
  let tenant: TestTenant;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    admin = await startAdminApi();
    tenant = await createTenant(admin.url);
    api = client(admin.url, tenant.admin);
  });
  afterAll(() => admin.close());

  describe('POST /v1/keys', () => {
    it('issues a key with every field and answers the key resource plus its plaintext', async () => {
      const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
      const body = fullBody(expiresAt);
      const before = Date.now();
      const created = await api.post('/v1/keys', body);
      expect(created.status).toBe(201);
      expect(Object.keys(created.body).sort()).toEqual([...KEY_RESOURCE_FIELDS, 'key'].sort());
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        key: expect.stringMatching(KEY_SHAPE),
        name: body.name,
        ownerId: body.ownerId,
        start: created.body.key.slice(0, HEAD_LENGTH + 4),
        environment: 'test',
        scopes: body.scopes,
        roles: [],
        meta: body.meta,
        status: 'active',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        expiresAt,
        lastUsedAt: null,
        rateLimit: body.rateLimit,
        rateLimits: [{ name: 'key', ...body.rateLimit, algorithm: 'fixed', apply: 'always' }],
        remaining: 5000,
        credits: { remaining: 5000, refill: null, refilledAt: null },
        ipAllowlist: body.ipAllowlist,
        rotation: body.rotation,
        previousKeyId: null,
      });
      expect(created.body.key.startsWith('kw_test_')).toBe(true);
      expect(isIsoInstant(created.body.createdAt)).toBe(true);
      expect(isIsoInstant(created.body.updatedAt)).toBe(true);
      expect(Date.parse(created.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(created.body.createdAt)).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('defaults to a live key with no owner, scopes, meta, limits, allowlist or rotation', async () => {
      const created = await api.post('/v1/keys', { name: 'minimal' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: 'minimal',
        ownerId: null,
        environment: 'live',
        scopes: [],
        meta: {},
        status: 'active',
        expiresAt: null,
        lastUsedAt: null,
        rateLimit: null,
        remaining: null,
        ipAllowlist: null,
        rotation: null,
        previousKeyId: null,
      });
      expect(created.body.key).toMatch(/^kw_live_[0-9A-Za-z]{38}$/);
      expect(created.body.start).toBe(created.body.key.slice(0, HEAD_LENGTH + 4));
    });

    it('accepts the boundaries: a 200-character name, 100 scopes of 64 characters, zero credits', async () => {
      const scopes = Array.from({ length: 100 }, (_, i) => `s${String(i).padStart(3, '0')}:${'x'.repeat(59)}`);
      expect(scopes.every((scope) => scope.length === 64)).toBe(true);
      const created = await api.post('/v1/keys', { name: 'n'.repeat(200), scopes, remaining: 0 });
      expect(created.status).toBe(201);
      expect(created.body.name).toHaveLength(200);
      expect(created.body.scopes).toEqual(scopes);
      expect(created.body.remaining).toBe(0);
    });

    it('issues a different secret every time', async () => {
      const keys = await Promise.all(Array.from({ length: 5 }, () => createKey(admin.url, tenant.admin)));
      expect(new Set(keys.map((key) => key.key)).size).toBe(5);
      expect(new Set(keys.map((key) => key.id)).size).toBe(5);
    });

    it('shows the plaintext in the create response only: never in get, list, patch or revoke', async () => {
      const created = await createKey(admin.url, tenant.admin, { name: 'secret-once', ownerId: 'secret-once-owner' });
      const answers = [
        await api.get(`/v1/keys/${created.id}`),
        await api.get('/v1/keys?ownerId=secret-once-owner'),
        await api.get(`/v1/keys?limit=100`),
        await api.patch(`/v1/keys/${created.id}`, { name: 'secret-once renamed' }),
        await api.patch(`/v1/keys/${created.id}`, { enabled: false }),
        await api.post(`/v1/keys/${created.id}/revoke`, { reason: 'done' }),
        await api.post(`/v1/keys/${created.id}/revoke`, {}),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        const text = JSON.stringify(answer.body);
        expect(text).not.toContain(created.key);
        expect(text).not.toContain(created.key.slice(HEAD_LENGTH));
        // No field named key (a limit may be named "key": the v1 rateLimit).
        expect(text).not.toContain('"key":');
      }
      expect(Object.keys(answers[0].body).sort()).toEqual(KEY_RESOURCE_FIELDS);
      expect(answers[1].body.data).toHaveLength(1);
      expect(Object.keys(answers[1].body.data[0]).sort()).toEqual(KEY_RESOURCE_FIELDS);
    });
  });

  describe('GET /v1/keys/{id}', () => {
    it('answers the key as the create response did, without the plaintext', async () => {
      const created = await createKey(admin.url, tenant.admin, fullBody(new Date(Date.now() + 86_400_000).toISOString()));
      const fetched = await api.get(`/v1/keys/${created.id}`);
      expect(fetched.status).toBe(200);
      const { key: _plaintext, ...resource } = created;
      expect(fetched.body).toEqual(resource);
    });

    it('is readable by the tenant auditor', async () => {
      const created = await createKey(admin.url, tenant.admin);
      const fetched = await client(admin.url, tenant.auditor).get(`/v1/keys/${created.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body.id).toBe(created.id);
    });
  });

  describe('GET /v1/keys', () => {
    let own: TestTenant;
    let ownApi: ReturnType<typeof client>;
    let ids: string[];

    beforeAll(async () => {
      own = await createTenant(admin.url);
      ownApi = client(admin.url, own.admin);
      const created = await inBatches(250, 25, (i) =>
        createKey(admin.url, own.admin, { name: `page-${i}`, ownerId: i % 10 === 0 ? 'tenth' : 'other' }),
      );
      ids = created.map((key) => key.id);
    }, 120_000);

    async function pageThrough(limit: number): Promise<{ pages: any[][]; cursors: Array<string | null> }> {
      const pages: any[][] = [];
      const cursors: Array<string | null> = [];
      let cursor: string | null = null;
      do {
        const query: string = `/v1/keys?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await ownApi.get(query);
        expect(page.status).toBe(200);
        expect(Object.keys(page.body).sort()).toEqual(['data', 'nextCursor']);
        pages.push(page.body.data);
        cursor = page.body.nextCursor;
        cursors.push(cursor);
        if (pages.length > 20) throw new Error('paging does not end');
      } while (cursor !== null);
      return { pages, cursors };
    }

    it('pages through 250 keys by 100: three pages, none twice, none missing, the last without a cursor', async () => {
      const { pages, cursors } = await pageThrough(100);
      expect(pages.map((page) => page.length)).toEqual([100, 100, 50]);
      expect(cursors.slice(0, 2).every((cursor) => typeof cursor === 'string' && cursor.length > 0)).toBe(true);
      expect(cursors[2]).toBeNull();
      const seen = pages.flat().map((key) => key.id);
      expect(new Set(seen).size).toBe(250);
      expect([...seen].sort()).toEqual([...ids].sort());
    });

    it('pages through 250 keys by 37: seven pages, none twice, none missing', async () => {
      const { pages, cursors } = await pageThrough(37);
      expect(pages.map((page) => page.length)).toEqual([37, 37, 37, 37, 37, 37, 28]);
      expect(cursors[cursors.length - 1]).toBeNull();
      const seen = pages.flat().map((key) => key.id);
      expect(new Set(seen).size).toBe(250);
      expect([...seen].sort()).toEqual([...ids].sort());
    });

    it('answers 50 keys when no limit is given, and full key resources without plaintexts', async () => {
      const page = await ownApi.get('/v1/keys');
      expect(page.status).toBe(200);
      expect(page.body.data).toHaveLength(50);
      expect(typeof page.body.nextCursor).toBe('string');
      for (const key of page.body.data) expect(Object.keys(key).sort()).toEqual(KEY_RESOURCE_FIELDS);
    });

    it('filters by ownerId, paged as well', async () => {
      const tenth = await ownApi.get('/v1/keys?ownerId=tenth&limit=100');
      expect(tenth.status).toBe(200);
      expect(tenth.body.data).toHaveLength(25);
      expect(tenth.body.data.every((key: any) => key.ownerId === 'tenth')).toBe(true);
      expect(tenth.body.nextCursor).toBeNull();
      const first = await ownApi.get('/v1/keys?ownerId=tenth&limit=20');
      const second = await ownApi.get(`/v1/keys?ownerId=tenth&limit=20&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(first.body.data).toHaveLength(20);
      expect(second.body.data).toHaveLength(5);
      expect(second.body.nextCursor).toBeNull();
      expect(new Set([...first.body.data, ...second.body.data].map((key: any) => key.id))).toEqual(
        new Set(tenth.body.data.map((key: any) => key.id)),
      );
      const nobody = await ownApi.get('/v1/keys?ownerId=nobody');
      expect(nobody.body).toEqual({ data: [], nextCursor: null });
    });

    it('filters by status: active, disabled, expired and revoked', async () => {
      const mixed = await createTenant(admin.url);
      const mixedApi = client(admin.url, mixed.admin);
      const active = await createKey(admin.url, mixed.admin, { name: 'active' });
      const disabled = await createKey(admin.url, mixed.admin, { name: 'disabled' });
      const revoked = await createKey(admin.url, mixed.admin, { name: 'revoked' });
      const expiring = await createKey(admin.url, mixed.admin, { name: 'expiring', expiresAt: new Date(Date.now() + 1500).toISOString() });
      expect((await mixedApi.patch(`/v1/keys/${disabled.id}`, { enabled: false })).status).toBe(200);
      expect((await mixedApi.post(`/v1/keys/${revoked.id}/revoke`, {})).status).toBe(200);

      const before = await mixedApi.get('/v1/keys?status=active');
      expect(before.body.data.map((key: any) => key.id).sort()).toEqual([active.id, expiring.id].sort());

      await sleep(Math.max(0, Date.parse(expiring.expiresAt) - Date.now()) + 300);
      const byStatus = async (status: string) => (await mixedApi.get(`/v1/keys?status=${status}`)).body.data.map((key: any) => key.id);
      expect(await byStatus('active')).toEqual([active.id]);
      expect(await byStatus('disabled')).toEqual([disabled.id]);
      expect(await byStatus('revoked')).toEqual([revoked.id]);
      expect(await byStatus('expired')).toEqual([expiring.id]);

      const combined = await mixedApi.get(`/v1/keys?status=expired&ownerId=nobody`);
      expect(combined.body.data).toEqual([]);
    });

    it('lists for the tenant auditor too', async () => {
      const page = await client(admin.url, own.auditor).get('/v1/keys?limit=5');
      expect(page.status).toBe(200);
      expect(page.body.data).toHaveLength(5);
    });
  });

  describe('PATCH /v1/keys/{id}', () => {
    it('changes each patchable field on its own and leaves the others as they were', async () => {
      const created = await createKey(admin.url, tenant.admin, fullBody(new Date(Date.now() + 10 * 86_400_000).toISOString()));
      const { key: _plaintext, ...original } = created;
      const later = new Date(Date.now() + 20 * 86_400_000).toISOString();
      const changes: Array<[string, unknown]> = [
        ['name', 'renamed'],
        ['scopes', ['reports:read']],
        ['scopes', []],
        ['meta', { replaced: true }],
        ['meta', {}],
        ['expiresAt', later],
        ['expiresAt', null],
        ['rateLimit', { limit: 5, windowSeconds: 1 }],
        ['rateLimit', null],
        ['remaining', 0],
        ['remaining', 12],
        ['remaining', null],
        ['ipAllowlist', ['192.0.2.1', '::1', 'fe80::/10']],
        ['ipAllowlist', null],
        ['rotation', { intervalSeconds: 60, gracePeriodSeconds: 0 }],
        ['rotation', null],
      ];
      let expected: Record<string, unknown> = { ...original };
      let previousUpdatedAt = original.updatedAt;
      for (const [field, value] of changes) {
        const patched = await api.patch(`/v1/keys/${created.id}`, { [field]: value });
        expect({ field, value, status: patched.status }).toEqual({ field, value, status: 200 });
        expected = { ...expected, [field]: value, ...v11ViewOf(field, value) };
        const { updatedAt, ...rest } = patched.body;
        const { updatedAt: _expectedUpdatedAt, ...expectedRest } = expected;
        expect(rest).toEqual(expectedRest);
        expect(Date.parse(updatedAt)).toBeGreaterThanOrEqual(Date.parse(previousUpdatedAt as string));
        previousUpdatedAt = updatedAt;
        expected.updatedAt = updatedAt;
        const fetched = await api.get(`/v1/keys/${created.id}`);
        expect(fetched.body).toEqual(patched.body);
      }
      expect(Date.parse(previousUpdatedAt as string)).toBeGreaterThan(Date.parse(original.updatedAt));
    });

    it('changes several fields at once', async () => {
      const created = await createKey(admin.url, tenant.admin, { name: 'multi' });
      const patched = await api.patch(`/v1/keys/${created.id}`, {
        name: 'multi 2',
        scopes: ['a:*'],
        remaining: 3,
        rateLimit: { limit: 1, windowSeconds: 10 },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        name: 'multi 2',
        scopes: ['a:*'],
        remaining: 3,
        rateLimit: { limit: 1, windowSeconds: 10 },
        status: 'active',
      });
    });

    it('disables a key with enabled: false and re-enables it with enabled: true', async () => {
      const created = await createKey(admin.url, tenant.admin, { name: 'toggle' });
      const disabled = await api.patch(`/v1/keys/${created.id}`, { enabled: false });
      expect(disabled.status).toBe(200);
      expect(disabled.body.status).toBe('disabled');
      expect((await api.get(`/v1/keys/${created.id}`)).body.status).toBe('disabled');
      const again = await api.patch(`/v1/keys/${created.id}`, { enabled: false });
      expect(again.body.status).toBe('disabled');
      const enabled = await api.patch(`/v1/keys/${created.id}`, { enabled: true });
      expect(enabled.status).toBe(200);
      expect(enabled.body.status).toBe('active');
      expect((await api.get(`/v1/keys/${created.id}`)).body.status).toBe('active');
      const events = await api.get(`/v1/audit-events?keyId=${created.id}`);
      expect(events.body.data.map((event: any) => event.action)).toEqual(['key.created', 'key.disabled', 'key.enabled']);
    });

    it('records a key.updated audit event with the changes', async () => {
      const created = await createKey(admin.url, tenant.admin, { name: 'audited' });
      await api.patch(`/v1/keys/${created.id}`, { name: 'audited 2', remaining: 7 });
      const events = await api.get(`/v1/audit-events?keyId=${created.id}&action=key.updated`);
      expect(events.body.data).toHaveLength(1);
      expect(events.body.data[0]).toMatchObject({
        target: { type: 'key', id: created.id },
        details: { changes: { name: 'audited 2', remaining: 7 } },
      });
    });

    it('refuses an empty body with 400', async () => {
      const created = await createKey(admin.url, tenant.admin);
      const patched = await api.patch(`/v1/keys/${created.id}`, {});
      expect(patched.status).toBe(400);
      expect(patched.body.code).toBe('VALIDATION_FAILED');
      expect((await api.get(`/v1/keys/${created.id}`)).body.updatedAt).toBe(created.updatedAt);
    });

    it('refuses to change a revoked key with 409 CONFLICT, and leaves it unchanged', async () => {
      const created = await createKey(admin.url, tenant.admin, { name: 'to revoke' });
      await api.post(`/v1/keys/${created.id}/revoke`, {});
      for (const body of [{ name: 'zombie' }, { enabled: true }, { expiresAt: null }]) {
        const patched = await api.patch(`/v1/keys/${created.id}`, body);
        expect(patched.status).toBe(409);
        expect(patched.body.code).toBe('CONFLICT');
      }
      const fetched = await api.get(`/v1/keys/${created.id}`);
      expect(fetched.body).toMatchObject({ name: 'to revoke', status: 'revoked' });
    });
  });

  describe('status', () => {
    it('turns expired once expiresAt has passed, and the expired filter finds the key', async () => {
      const expiresAt = new Date(Date.now() + 2000).toISOString();
      const created = await createKey(admin.url, tenant.admin, { name: 'short-lived', ownerId: 'short-lived-owner', expiresAt });
      expect(created.status).toBe('active');
      expect(created.expiresAt).toBe(expiresAt);
      await sleep(Math.max(0, Date.parse(expiresAt) - Date.now()) + 300);
      expect((await api.get(`/v1/keys/${created.id}`)).body.status).toBe('expired');
      const expired = await api.get('/v1/keys?status=expired&ownerId=short-lived-owner');
      expect(expired.body.data.map((key: any) => key.id)).toEqual([created.id]);
      const active = await api.get('/v1/keys?status=active&ownerId=short-lived-owner');
      expect(active.body.data).toEqual([]);
    });

    it('puts revoked before expired, and expired before disabled', async () => {
      const expiresAt = new Date(Date.now() + 1500).toISOString();
      const both = await createKey(admin.url, tenant.admin, { expiresAt });
      const disabledExpired = await createKey(admin.url, tenant.admin, { expiresAt });
      await api.patch(`/v1/keys/${disabledExpired.id}`, { enabled: false });
      const revokedDisabled = await createKey(admin.url, tenant.admin);
      await api.patch(`/v1/keys/${revokedDisabled.id}`, { enabled: false });
      expect((await api.post(`/v1/keys/${revokedDisabled.id}/revoke`, {})).body.status).toBe('revoked');
      await sleep(Math.max(0, Date.parse(expiresAt) - Date.now()) + 300);
      expect((await api.post(`/v1/keys/${both.id}/revoke`, {})).body.status).toBe('revoked');
      expect((await api.get(`/v1/keys/${disabledExpired.id}`)).body.status).toBe('expired');
      expect((await api.get(`/v1/keys/${revokedDisabled.id}`)).body.status).toBe('revoked');
    });
  });

  describe('POST /v1/keys/{id}/rotate', () => {
    it('makes a successor that copies the settings, and ends the old key after the grace period', async () => {
      const body = fullBody(new Date(Date.now() + 10 * 86_400_000).toISOString());
      const old = await createKey(admin.url, tenant.admin, body);
      const before = Date.now();
      const rotated = await api.post(`/v1/keys/${old.id}/rotate`, { gracePeriodSeconds: 2 });
      const after = Date.now();
      expect(rotated.status).toBe(201);
      expect(Object.keys(rotated.body).sort()).toEqual([...KEY_RESOURCE_FIELDS, 'key', 'previousKeyExpiresAt'].sort());
      expect(rotated.body.id).not.toBe(old.id);
      expect(rotated.body.key).toMatch(KEY_SHAPE);
      expect(rotated.body.key).not.toBe(old.key);
      expect(rotated.body.key.startsWith('kw_test_')).toBe(true);
      expect(rotated.body.start).toBe(rotated.body.key.slice(0, HEAD_LENGTH + 4));
      expect(rotated.body).toMatchObject({
        previousKeyId: old.id,
        name: body.name,
        ownerId: body.ownerId,
        environment: 'test',
        scopes: body.scopes,
        meta: body.meta,
        rateLimit: body.rateLimit,
        remaining: body.remaining,
        ipAllowlist: body.ipAllowlist,
        rotation: body.rotation,
        status: 'active',
        lastUsedAt: null,
      });
      expect(isIsoInstant(rotated.body.previousKeyExpiresAt)).toBe(true);
      const graceEnd = Date.parse(rotated.body.previousKeyExpiresAt);
      expect(graceEnd).toBeGreaterThanOrEqual(before + 2000 - 50);
      expect(graceEnd).toBeLessThanOrEqual(after + 2000 + 50);

      const oldNow = await api.get(`/v1/keys/${old.id}`);
      expect(oldNow.body.expiresAt).toBe(rotated.body.previousKeyExpiresAt);
      expect(oldNow.body.status).toBe('active');
      expect(JSON.stringify(oldNow.body)).not.toContain(rotated.body.key);
      const successor = await api.get(`/v1/keys/${rotated.body.id}`);
      expect(successor.status).toBe(200);
      expect(successor.body.previousKeyId).toBe(old.id);
      expect(JSON.stringify(successor.body)).not.toContain(rotated.body.key);

      await sleep(Math.max(0, graceEnd - Date.now()) + 300);
      expect((await api.get(`/v1/keys/${old.id}`)).body.status).toBe('expired');
      expect((await api.get(`/v1/keys/${rotated.body.id}`)).body.status).toBe('active');
    });

    it('keeps the successor living as long as the old key was meant to', async () => {
      const old = await createKey(admin.url, tenant.admin, { expiresAt: new Date(Date.now() + 5 * 86_400_000).toISOString() });
      const lifetime = Date.parse(old.expiresAt) - Date.parse(old.createdAt);
      const rotated = await api.post(`/v1/keys/${old.id}/rotate`, { gracePeriodSeconds: 0 });
      expect(rotated.status).toBe(201);
      const successorLifetime = Date.parse(rotated.body.expiresAt) - Date.parse(rotated.body.createdAt);
      expect(Math.abs(successorLifetime - lifetime)).toBeLessThan(2000);
    });

    it('ends the old key at once with gracePeriodSeconds 0', async () => {
      const old = await createKey(admin.url, tenant.admin);
      const before = Date.now();
      const rotated = await api.post(`/v1/keys/${old.id}/rotate`, { gracePeriodSeconds: 0 });
      expect(rotated.status).toBe(201);
      expect(Math.abs(Date.parse(rotated.body.previousKeyExpiresAt) - before)).toBeLessThan(1500);
      expect((await api.get(`/v1/keys/${old.id}`)).body.status).toBe('expired');
    });

    it('refuses to rotate a key twice with 409 CONFLICT, during and after the grace period', async () => {
      const old = await createKey(admin.url, tenant.admin, { ownerId: 'rotated-twice' });
      const first = await api.post(`/v1/keys/${old.id}/rotate`, { gracePeriodSeconds: 1 });
      expect(first.status).toBe(201);
      const during = await api.post(`/v1/keys/${old.id}/rotate`, { gracePeriodSeconds: 1 });
      expect(during.status).toBe(409);
      expect(during.body.code).toBe('CONFLICT');
      await sleep(Math.max(0, Date.parse(first.body.previousKeyExpiresAt) - Date.now()) + 300);
      const after = await api.post(`/v1/keys/${old.id}/rotate`, {});
      expect(after.status).toBe(409);
      expect(after.body.code).toBe('CONFLICT');
      const family = (await api.get('/v1/keys?ownerId=rotated-twice')).body.data;
      expect(family.filter((key: any) => key.previousKeyId === old.id)).toHaveLength(1);
      expect(family).toHaveLength(2);
    });

    it('rotates a key when the request has no body at all', async () => {
      const old = await createKey(admin.url, tenant.admin, { rotation: { intervalSeconds: 60, gracePeriodSeconds: 30 } });
      const rotated = await api.post(`/v1/keys/${old.id}/rotate`);
      expect(rotated.status).toBe(201);
      expect(rotated.body.previousKeyId).toBe(old.id);
    });

    it('lets the successor itself be rotated', async () => {
      const old = await createKey(admin.url, tenant.admin);
      const first = await api.post(`/v1/keys/${old.id}/rotate`, { gracePeriodSeconds: 60 });
      const second = await api.post(`/v1/keys/${first.body.id}/rotate`, { gracePeriodSeconds: 60 });
      expect(second.status).toBe(201);
      expect(second.body.previousKeyId).toBe(first.body.id);
    });

    it('refuses to rotate a revoked key with 409 CONFLICT and makes no successor', async () => {
      const old = await createKey(admin.url, tenant.admin, { ownerId: 'revoked-rotation' });
      await api.post(`/v1/keys/${old.id}/revoke`, {});
      const rotated = await api.post(`/v1/keys/${old.id}/rotate`, { gracePeriodSeconds: 10 });
      expect(rotated.status).toBe(409);
      expect(rotated.body.code).toBe('CONFLICT');
      expect((await api.get('/v1/keys?ownerId=revoked-rotation')).body.data).toHaveLength(1);
    });

    it("uses the key's rotation.gracePeriodSeconds when no grace is given", async () => {
      const old = await createKey(admin.url, tenant.admin, { rotation: { intervalSeconds: 86_400, gracePeriodSeconds: 3600 } });
      const before = Date.now();
      const rotated = await api.post(`/v1/keys/${old.id}/rotate`, {});
      const after = Date.now();
      expect(rotated.status).toBe(201);
      const graceEnd = Date.parse(rotated.body.previousKeyExpiresAt);
      expect(graceEnd).toBeGreaterThanOrEqual(before + 3_600_000 - 50);
      expect(graceEnd).toBeLessThanOrEqual(after + 3_600_000 + 50);
      expect((await api.get(`/v1/keys/${old.id}`)).body).toMatchObject({ status: 'active', expiresAt: rotated.body.previousKeyExpiresAt });
    });

    it('prefers an explicit grace over the rotation schedule', async () => {
      const old = await createKey(admin.url, tenant.admin, { rotation: { intervalSeconds: 86_400, gracePeriodSeconds: 3600 } });
      const before = Date.now();
      const rotated = await api.post(`/v1/keys/${old.id}/rotate`, { gracePeriodSeconds: 120 });
      expect(rotated.status).toBe(201);
      expect(Math.abs(Date.parse(rotated.body.previousKeyExpiresAt) - (before + 120_000))).toBeLessThan(1500);
    });

    it('never extends the old key beyond its own expiry', async () => {
      const expiresAt = new Date(Date.now() + 60_000).toISOString();
      const old = await createKey(admin.url, tenant.admin, { expiresAt });
      const rotated = await api.post(`/v1/keys/${old.id}/rotate`, { gracePeriodSeconds: 3600 });
      expect(rotated.status).toBe(201);
      expect(rotated.body.previousKeyExpiresAt).toBe(expiresAt);
    });

    it('records key.rotated on the old key and key.created on the successor', async () => {
      const old = await createKey(admin.url, tenant.admin);
      const rotated = await api.post(`/v1/keys/${old.id}/rotate`, { gracePeriodSeconds: 30 });
      const onOld = await api.get(`/v1/audit-events?keyId=${old.id}&action=key.rotated`);
      expect(onOld.body.data).toHaveLength(1);
      expect(onOld.body.data[0].details).toMatchObject({
        successorKeyId: rotated.body.id,
        gracePeriodSeconds: 30,
        previousKeyExpiresAt: rotated.body.previousKeyExpiresAt,
      });
      const onSuccessor = await api.get(`/v1/audit-events?keyId=${rotated.body.id}&action=key.created`);
      expect(onSuccessor.body.data).toHaveLength(1);
      expect(JSON.stringify([onOld.body, onSuccessor.body])).not.toContain(rotated.body.key);
    });
  });

  describe('POST /v1/keys/{id}/revoke', () => {
    it('revokes with a reason, idempotently, and records one key.revoked event with that reason', async () => {
      const created = await createKey(admin.url, tenant.admin, { name: 'leaky' });
      const first = await api.post(`/v1/keys/${created.id}/revoke`, { reason: 'leaked in CI logs' });
      expect(first.status).toBe(200);
      expect(Object.keys(first.body).sort()).toEqual(KEY_RESOURCE_FIELDS);
      expect(first.body).toMatchObject({ id: created.id, name: 'leaky', status: 'revoked' });
      const second = await api.post(`/v1/keys/${created.id}/revoke`, { reason: 'again' });
      expect(second.status).toBe(200);
      expect(second.body.status).toBe('revoked');
      expect(second.body.updatedAt).toBe(first.body.updatedAt);
      expect((await api.get(`/v1/keys/${created.id}`)).body.status).toBe('revoked');
      const events = await api.get(`/v1/audit-events?keyId=${created.id}&action=key.revoked`);
      expect(events.body.data).toHaveLength(1);
      expect(events.body.data[0].details.reason).toBe('leaked in CI logs');
    });

    it('revokes without a reason', async () => {
      const created = await createKey(admin.url, tenant.admin);
      const revoked = await api.post(`/v1/keys/${created.id}/revoke`, {});
      expect(revoked.status).toBe(200);
      expect(revoked.body.status).toBe('revoked');
      const events = await api.get(`/v1/audit-events?keyId=${created.id}&action=key.revoked`);
      expect(events.body.data).toHaveLength(1);
    });

    it('revokes a key when the request has no body at all', async () => {
      const created = await createKey(admin.url, tenant.admin);
      const revoked = await api.post(`/v1/keys/${created.id}/revoke`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.status).toBe('revoked');
    });

    it('revokes a disabled key and an expired one', async () => {
      const disabled = await createKey(admin.url, tenant.admin);
      await api.patch(`/v1/keys/${disabled.id}`, { enabled: false });
      expect((await api.post(`/v1/keys/${disabled.id}/revoke`, {})).body.status).toBe('revoked');
      const expiring = await createKey(admin.url, tenant.admin, { expiresAt: new Date(Date.now() + 1000).toISOString() });
      await sleep(1300);
      expect((await api.post(`/v1/keys/${expiring.id}/revoke`, {})).body.status).toBe('revoked');
    });
  });

  describe('unknown and malformed ids', () => {
    it.each([
      ['an unknown uuid', randomUUID()],
      ['an uppercase unknown uuid', randomUUID().toUpperCase()],
      ['a word', 'not-a-uuid'],
      ['a number', '12345'],
      ['a uuid with a trailing character', `${randomUUID()}x`],
      ['a uuid-shaped non-hex string', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz'],
      ['a percent-encoded quote', '%27%20OR%201%3D1'],
    ])('answers 404 NOT_FOUND for %s on GET, PATCH, rotate and revoke', async (_label, id) => {
      const answers = [
        await api.get(`/v1/keys/${id}`),
        await api.patch(`/v1/keys/${id}`, { name: 'x' }),
        await api.post(`/v1/keys/${id}/rotate`, { gracePeriodSeconds: 1 }),
        await api.post(`/v1/keys/${id}/revoke`, { reason: 'x' }),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(404);
        expect(answer.body.code).toBe('NOT_FOUND');
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
      }
    });
  });
});
