// docs/api.md, Owners and Credits, over real HTTP: create and replace, read, list with keyCount,
// delete, credit changes, audit events, roles, isolation between tenants, and bad input refused
// with nothing written.
import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { auditEvents, BAD_CREDIT_CHANGES, BAD_LIMITS_AND_CREDITS, expectRefused } from './support/admin-checks';
import { client } from './support/http-client';
import { createKey } from './support/key-builders';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

const OWNER_RESOURCE_FIELDS = ['createdAt', 'credits', 'keyCount', 'meta', 'name', 'ownerId', 'rateLimits', 'updatedAt'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('owners', () => {
  let admin: RunningHttpApp;
  let tenant: TestTenant;
  let api: ReturnType<typeof client>;

  const events = (action: string) => auditEvents(admin.url, tenant.auditor, `action=${action}`);

  beforeAll(async () => {
    admin = await startAdminApi();
    tenant = await createTenant(admin.url);
    api = client(admin.url, tenant.admin);
  });
  afterAll(() => admin.close());

  describe('PUT /v1/owners/{ownerId}', () => {
    it('creates an owner with every field, answers the owner resource and audits owner.created', async () => {
      const body = {
        name: 'Acme Corp',
        meta: { plan: 'enterprise', seats: 40 },
        rateLimits: [
          { name: 'burst', limit: 100, windowSeconds: 1, algorithm: 'sliding', apply: 'always' },
          { name: 'daily', limit: 50_000, windowSeconds: 86_400 },
        ],
        credits: { remaining: 1000, refill: { interval: 'monthly', amount: 1000, dayOfMonth: 15 } },
      };
      const before = Date.now();
      const put = await api.put('/v1/owners/acme', body);
      expect(put.status).toBe(200);
      expect(Object.keys(put.body).sort()).toEqual(OWNER_RESOURCE_FIELDS);
      expect(put.body).toEqual({
        ownerId: 'acme',
        name: 'Acme Corp',
        meta: body.meta,
        rateLimits: [body.rateLimits[0], { ...body.rateLimits[1], algorithm: 'fixed', apply: 'always' }],
        credits: { remaining: 1000, refill: { interval: 'monthly', amount: 1000, dayOfMonth: 15 }, refilledAt: null },
        keyCount: 0,
        createdAt: expect.any(String),
        updatedAt: put.body.createdAt,
      });
      expect(Date.parse(put.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect((await api.get('/v1/owners/acme')).body).toEqual(put.body);

      const [created] = await events('owner.created');
      expect(created).toMatchObject({
        action: 'owner.created',
        target: { type: 'owner', id: 'acme' },
        details: {
          name: 'Acme Corp',
          meta: body.meta,
          rateLimits: put.body.rateLimits,
          credits: { remaining: 1000, refill: { interval: 'monthly', amount: 1000, dayOfMonth: 15 } },
        },
      });
    });

    it('defaults to no name, empty meta, no limits and unlimited credits', async () => {
      const put = await api.put('/v1/owners/bare', {});
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ ownerId: 'bare', name: null, meta: {}, rateLimits: [], credits: null, keyCount: 0 });
    });

    it('replaces name, meta and limits, keeps createdAt, and audits owner.updated', async () => {
      const first = await api.put('/v1/owners/replaced', {
        name: 'Old',
        meta: { a: 1 },
        rateLimits: [{ name: 'x', limit: 1, windowSeconds: 1 }],
      });
      await sleep(20);
      const second = await api.put('/v1/owners/replaced', { name: 'New' });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ ownerId: 'replaced', name: 'New', meta: {}, rateLimits: [], createdAt: first.body.createdAt });
      expect(Date.parse(second.body.updatedAt)).toBeGreaterThan(Date.parse(first.body.updatedAt));
      const updated = (await events('owner.updated')).filter((event) => event.target.id === 'replaced');
      expect(updated).toHaveLength(1);
      expect(updated[0].details).toEqual({ name: 'New', meta: {}, rateLimits: [], credits: null });
    });

    it('keeps the balance when credits are left out or repeated, and replaces it when they differ', async () => {
      await api.put('/v1/owners/balance', { credits: { remaining: 100 } });
      expect((await api.post('/v1/owners/balance/credits', { op: 'decrement', amount: 30 })).body).toEqual({ remaining: 70 });

      expect((await api.put('/v1/owners/balance', { name: 'renamed' })).body.credits).toEqual({
        remaining: 70,
        refill: null,
        refilledAt: null,
      });
      expect((await api.put('/v1/owners/balance', { credits: { remaining: 70 } })).body.credits.remaining).toBe(70);
      // The live balance was kept too: a decrement takes from 70.
      expect((await api.post('/v1/owners/balance/credits', { op: 'decrement', amount: 1 })).body).toEqual({ remaining: 69 });

      const replaced = await api.put('/v1/owners/balance', { credits: { remaining: 500, refill: { interval: 'daily', amount: 500 } } });
      expect(replaced.body.credits).toEqual({
        remaining: 500,
        refill: { interval: 'daily', amount: 500, dayOfMonth: null },
        refilledAt: null,
      });
      expect((await api.post('/v1/owners/balance/credits', { op: 'decrement', amount: 1 })).body).toEqual({ remaining: 499 });

      const unlimited = await api.put('/v1/owners/balance', { credits: null });
      expect(unlimited.body.credits).toBeNull();
      const refused = await api.post('/v1/owners/balance/credits', { op: 'increment', amount: 1 });
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 409, code: 'CONFLICT' });
    });

    it('makes one owner of 10 concurrent PUTs that create it: one owner.created, the rest owner.updated', async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => api.put('/v1/owners/raced', { name: `put ${i}` })));
      expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
      const [row] = await sql('owner', `SELECT count(*)::int AS owners FROM owners WHERE tenant_id = $1 AND owner_id = 'raced'`, [
        tenant.id,
      ]);
      expect(row.owners).toBe(1);
      const actions = [...(await events('owner.created')), ...(await events('owner.updated'))]
        .filter((event) => event.target.id === 'raced')
        .map((event) => event.action)
        .sort();
      expect(actions).toEqual(['owner.created', ...Array(9).fill('owner.updated')]);
    });

    it('takes owner ids of 200 characters of A-Z a-z 0-9 _ . : @ -', async () => {
      for (const ownerId of ['o'.repeat(200), 'cus_4711', 'team.a:b@example.com', 'A-Z_09']) {
        const put = await api.put(`/v1/owners/${encodeURIComponent(ownerId)}`, { name: 'n' });
        expect({ ownerId, status: put.status }).toEqual({ ownerId, status: 200 });
        expect(put.body.ownerId).toBe(ownerId);
        expect((await api.get(`/v1/owners/${encodeURIComponent(ownerId)}`)).body.ownerId).toBe(ownerId);
      }
    });
  });

  describe('keyCount, list and delete', () => {
    it("counts the owner's keys that are not revoked, made before or after the owner", async () => {
      const before = await createKey(admin.url, tenant.admin, { ownerId: 'counted' });
      await api.put('/v1/owners/counted', { name: 'Counted' });
      await createKey(admin.url, tenant.admin, { ownerId: 'counted' });
      const revoked = await createKey(admin.url, tenant.admin, { ownerId: 'counted' });
      await createKey(admin.url, tenant.admin, { ownerId: 'someone-else' });
      expect((await api.post(`/v1/keys/${revoked.id}/revoke`, {})).status).toBe(200);
      expect((await api.get('/v1/owners/counted')).body.keyCount).toBe(2);
      expect(before.ownerId).toBe('counted');
    });

    it('lists owners oldest first, a page at a time, with their keyCount', async () => {
      const listed = await createTenant(admin.url);
      const own = client(admin.url, listed.admin);
      for (const ownerId of ['first', 'second', 'third']) await own.put(`/v1/owners/${ownerId}`, {});
      await createKey(admin.url, listed.admin, { ownerId: 'second' });
      const page1 = await client(admin.url, listed.auditor).get('/v1/owners?limit=2');
      expect(page1.status).toBe(200);
      expect(page1.body.data.map((owner: any) => [owner.ownerId, owner.keyCount])).toEqual([
        ['first', 0],
        ['second', 1],
      ]);
      for (const owner of page1.body.data) expect(Object.keys(owner).sort()).toEqual(OWNER_RESOURCE_FIELDS);
      const page2 = await own.get(`/v1/owners?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor)}`);
      expect(page2.body).toEqual({ data: [expect.objectContaining({ ownerId: 'third', keyCount: 0 })], nextCursor: null });
    });

    it('deletes an owner: 204, then 404; its keys stay; audited as owner.deleted', async () => {
      await api.put('/v1/owners/leaving', { credits: { remaining: 5 } });
      const key = await createKey(admin.url, tenant.admin, { ownerId: 'leaving' });
      const deleted = await api.delete('/v1/owners/leaving');
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBeUndefined();
      expect((await api.get('/v1/owners/leaving')).status).toBe(404);
      expect((await api.delete('/v1/owners/leaving')).status).toBe(404);
      expect((await api.get(`/v1/keys/${key.id}`)).body).toMatchObject({ ownerId: 'leaving', status: 'active' });
      const [event] = (await events('owner.deleted')).filter((e) => e.target.id === 'leaving');
      expect(event).toMatchObject({ action: 'owner.deleted', target: { type: 'owner', id: 'leaving' } });
      // Made again, it starts from its own credits, not the deleted one's.
      expect((await api.put('/v1/owners/leaving', { credits: { remaining: 9 } })).body.credits.remaining).toBe(9);
      expect((await api.post('/v1/owners/leaving/credits', { op: 'increment', amount: 1 })).body).toEqual({ remaining: 10 });
    });
  });

  describe('POST /v1/owners/{ownerId}/credits', () => {
    it('increments, decrements and sets, each audited as owner.credits_changed with the op and amount', async () => {
      await api.put('/v1/owners/pool', { credits: { remaining: 10 } });
      const answers = [];
      for (const change of [
        { op: 'increment', amount: 5 },
        { op: 'decrement', amount: 12 },
        { op: 'set', amount: 40 },
        { op: 'decrement', amount: 0 },
      ]) {
        const answer = await api.post('/v1/owners/pool/credits', change);
        answers.push([answer.status, answer.body]);
      }
      expect(answers).toEqual([
        [200, { remaining: 15 }],
        [200, { remaining: 3 }],
        [200, { remaining: 40 }],
        [200, { remaining: 40 }],
      ]);
      expect((await api.get('/v1/owners/pool')).body.credits.remaining).toBe(40);
      const changes = (await events('owner.credits_changed')).filter((event) => event.target.id === 'pool');
      expect(changes.map((event) => event.details)).toEqual([
        { op: 'increment', amount: 5 },
        { op: 'decrement', amount: 12 },
        { op: 'set', amount: 40 },
        { op: 'decrement', amount: 0 },
      ]);
    });

    it('refuses a decrement below zero with 409 INSUFFICIENT_CREDITS and changes nothing', async () => {
      await api.put('/v1/owners/short', { credits: { remaining: 3 } });
      const eventsBefore = (await events('owner.credits_changed')).length;
      const refused = await api.post('/v1/owners/short/credits', { op: 'decrement', amount: 4 });
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 409, code: 'INSUFFICIENT_CREDITS' });
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect((await api.get('/v1/owners/short')).body.credits.remaining).toBe(3);
      expect((await api.post('/v1/owners/short/credits', { op: 'decrement', amount: 3 })).body).toEqual({ remaining: 0 });
      expect((await events('owner.credits_changed')).length).toBe(eventsBefore + 1);
    });

    it('is 409 CONFLICT for an owner without credits, and 404 for one that does not exist', async () => {
      await api.put('/v1/owners/unlimited', {});
      const conflict = await api.post('/v1/owners/unlimited/credits', { op: 'decrement', amount: 1 });
      expect({ status: conflict.status, code: conflict.body.code }).toEqual({ status: 409, code: 'CONFLICT' });
      expect((await api.get('/v1/owners/unlimited')).body.credits).toBeNull();
      // set gives an owner without credits a balance.
      expect((await api.post('/v1/owners/unlimited/credits', { op: 'set', amount: 7 })).body).toEqual({ remaining: 7 });
      expect((await api.get('/v1/owners/unlimited')).body.credits).toEqual({ remaining: 7, refill: null, refilledAt: null });
      expect((await api.post('/v1/owners/nobody/credits', { op: 'set', amount: 1 })).status).toBe(404);
    });
  });

  describe('on the verify service', () => {
    let verify: RunningHttpApp;
    beforeAll(async () => {
      verify = await startVerify();
    });
    afterAll(() => verify.close());

    /** The codes of `count` verifications, alternating between the keys, one after the other. */
    async function codesOf(keys: string[], count: number): Promise<string[]> {
      const verifier = client(verify.url, tenant.verifier);
      const codes: string[] = [];
      for (let i = 0; i < count; i++) codes.push((await verifier.post('/v1/verify', { key: keys[i % keys.length] })).body.code);
      return codes;
    }
    const tally = (codes: string[]) =>
      codes.reduce<Record<string, number>>((counts, code) => ({ ...counts, [code]: (counts[code] ?? 0) + 1 }), {});

    it("shares the owner's credits among its keys, and takes a PUT, a POST credits and a DELETE within a second", async () => {
      await api.put('/v1/owners/verified-pool', { credits: { remaining: 5 } });
      const keys = [
        (await createKey(admin.url, tenant.admin, { ownerId: 'verified-pool' })).key,
        (await createKey(admin.url, tenant.admin, { ownerId: 'verified-pool' })).key,
      ];
      expect(tally(await codesOf(keys, 8))).toEqual({ VALID: 5, USAGE_EXCEEDED: 3 });
      expect((await api.post('/v1/owners/verified-pool/credits', { op: 'increment', amount: 3 })).body).toEqual({ remaining: 3 });
      expect(tally(await codesOf(keys, 5))).toEqual({ VALID: 3, USAGE_EXCEEDED: 2 });
      await api.put('/v1/owners/verified-pool', { credits: { remaining: 2 } });
      await sleep(1100);
      expect(tally(await codesOf(keys, 4))).toEqual({ VALID: 2, USAGE_EXCEEDED: 2 });
      expect((await api.delete('/v1/owners/verified-pool')).status).toBe(204);
      await sleep(1100);
      expect(tally(await codesOf(keys, 4))).toEqual({ VALID: 4 });
    });

    it("applies the owner's limits to every key of the owner, made before or after the owner record", async () => {
      const before = (await createKey(admin.url, tenant.admin, { ownerId: 'verified-limit' })).key;
      expect(await codesOf([before], 1)).toEqual(['VALID']);
      await api.put('/v1/owners/verified-limit', { rateLimits: [{ name: 'cap', limit: 3, windowSeconds: 3600 }] });
      await sleep(1100);
      const after = (await createKey(admin.url, tenant.admin, { ownerId: 'verified-limit' })).key;
      expect(tally(await codesOf([before, after], 6))).toEqual({ VALID: 3, RATE_LIMITED: 3 });
    });
  });

  describe('roles and tenants', () => {
    it('lets an auditor read owners but not change them; a verifier gets nothing', async () => {
      await api.put('/v1/owners/audited', { credits: { remaining: 1 } });
      const auditor = client(admin.url, tenant.auditor);
      expect((await auditor.get('/v1/owners/audited')).status).toBe(200);
      expect((await auditor.get('/v1/owners')).status).toBe(200);
      const refusals = [
        await auditor.put('/v1/owners/audited', { name: 'x' }),
        await auditor.put('/v1/owners/new-by-auditor', {}),
        await auditor.delete('/v1/owners/audited'),
        await auditor.post('/v1/owners/audited/credits', { op: 'set', amount: 5 }),
      ];
      expect(refusals.map((r) => [r.status, r.body.code])).toEqual(Array(4).fill([403, 'FORBIDDEN']));
      for (const token of [tenant.verifier, TEST_PLATFORM_TOKEN]) {
        expect((await client(admin.url, token).get('/v1/owners/audited')).status).toBe(403);
        expect((await client(admin.url, token).put('/v1/owners/audited', {})).status).toBe(403);
      }
      expect((await api.get('/v1/owners/new-by-auditor')).status).toBe(404);
      expect((await api.get('/v1/owners/audited')).body).toMatchObject({ name: null, credits: { remaining: 1 } });
    });

    it("answers 404 for another tenant's owner, and the same owner id names a separate owner in each tenant", async () => {
      await api.put('/v1/owners/shared-name', { name: 'Mine', credits: { remaining: 50 } });
      const other = await createTenant(admin.url);
      const theirs = client(admin.url, other.admin);
      expect((await theirs.get('/v1/owners/shared-name')).status).toBe(404);
      expect((await client(admin.url, other.auditor).get('/v1/owners/shared-name')).status).toBe(404);
      expect((await theirs.delete('/v1/owners/shared-name')).status).toBe(404);
      expect((await theirs.post('/v1/owners/shared-name/credits', { op: 'set', amount: 1 })).status).toBe(404);
      expect((await theirs.get('/v1/owners')).body.data).toEqual([]);
      const made = await theirs.put('/v1/owners/shared-name', { name: 'Theirs' });
      expect(made.body).toMatchObject({ name: 'Theirs', credits: null, keyCount: 0 });
      expect((await api.get('/v1/owners/shared-name')).body).toMatchObject({ name: 'Mine', credits: { remaining: 50 } });
    });

    it('answers 404 for a path id no owner can have', async () => {
      for (const path of ['/v1/owners/has%20space', `/v1/owners/${'o'.repeat(201)}`, '/v1/owners/caf%C3%A9', '/v1/owners/a%2Fb']) {
        expect({ path, status: (await api.get(path)).status }).toEqual({ path, status: 404 });
        expect({ path, status: (await api.delete(path)).status }).toEqual({ path, status: 404 });
        expect({ path, status: (await api.post(`${path}/credits`, { op: 'set', amount: 1 })).status }).toEqual({ path, status: 404 });
      }
    });
  });

  describe('bad input', () => {
    type Case = [label: string, body: unknown, field: string];
    const CASES: Case[] = [
      ['a name that is not a string', { name: 42 }, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a 201-character name', { name: 'n'.repeat(201) }, 'name'],
      ['meta that is an array', { meta: [1] }, 'meta'],
      ['meta null', { meta: null }, 'meta'],
      ['meta over 4 KiB', { meta: { b: 'x'.repeat(4090) } }, 'meta'],
      ...BAD_LIMITS_AND_CREDITS,
      ['remaining, which owners do not take', { remaining: 5 }, 'remaining'],
      ['an unknown top-level field', { ownerId: 'other' }, 'ownerId'],
    ];

    async function written(): Promise<unknown> {
      const [row] = await sql(
        'owner',
        `SELECT (SELECT count(*) FROM audit_events WHERE tenant_id = $1)::int AS events,
                (SELECT json_agg(to_jsonb(o) ORDER BY o.owner_id) FROM owners o WHERE tenant_id = $1) AS owners`,
        [tenant.id],
      );
      return row;
    }

    beforeAll(async () => {
      await api.put('/v1/owners/target', {
        name: 'Target',
        credits: { remaining: 10 },
        rateLimits: [{ name: 'a', limit: 1, windowSeconds: 1 }],
      });
    });

    it.each(CASES)('refuses %s on create, naming the field, and writes nothing', async (_label, body, field) => {
      const before = await written();
      expectRefused(await api.put('/v1/owners/never-made', body), field);
      expect(await written()).toEqual(before);
    });

    it.each(CASES)('refuses %s on replace, naming the field, and changes nothing', async (_label, body, field) => {
      const before = await written();
      expectRefused(await api.put('/v1/owners/target', body), field);
      expect(await written()).toEqual(before);
    });

    it('refuses an owner id of 201 characters or of other characters on PUT, naming ownerId', async () => {
      const before = await written();
      for (const id of ['o'.repeat(201), 'has%20space', 'caf%C3%A9']) expectRefused(await api.put(`/v1/owners/${id}`, {}), 'ownerId');
      expect(await written()).toEqual(before);
    });

    it.each(BAD_CREDIT_CHANGES)('refuses a credits change with %s, naming the field, and changes nothing', async (_label, body, field) => {
      const before = await written();
      expectRefused(await api.post('/v1/owners/target/credits', body), field);
      expect(await written()).toEqual(before);
    });
  });
});
