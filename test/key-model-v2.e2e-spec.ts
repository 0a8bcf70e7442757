// docs/api.md, Keys, Rate limits and Credits, over real HTTP: the v1.1 fields of a key (named
// limits, credits with refill) beside their v1 aliases, in both directions; POST credits
// (increment, decrement, set) with its audit events; a top-up racing 1,000 verifications on the
// verify service; and bad input on every new field refused with nothing written.
import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { parseSamples, total } from '../bench/support/prometheus-text';
import { auditEvents, BAD_CREDIT_CHANGES, BAD_LIMITS_AND_CREDITS, expectRefused, fixed } from './support/admin-checks';
import { client, request } from './support/http-client';
import { createKey } from './support/key-builders';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DAY_MS = 86_400_000;

describe('key model v1.1: named limits and credits', () => {
  let admin: RunningHttpApp;
  let tenant: TestTenant;
  let api: ReturnType<typeof client>;

  const events = (action: string, keyId: string) => auditEvents(admin.url, tenant.auditor, `action=${action}&keyId=${keyId}`);

  beforeAll(async () => {
    admin = await startAdminApi();
    tenant = await createTenant(admin.url);
    api = client(admin.url, tenant.admin);
  });
  afterAll(() => admin.close());

  describe('named limits', () => {
    it('takes several limits, fills algorithm and apply, and shows the one named key as rateLimit', async () => {
      const rateLimits = [
        { name: 'per-second', limit: 10, windowSeconds: 1, algorithm: 'sliding' },
        { name: 'key', limit: 100, windowSeconds: 60 },
        { name: 'exports', limit: 5, windowSeconds: 3600, apply: 'on-request' },
      ];
      const created = await createKey(admin.url, tenant.admin, { rateLimits });
      const expected = {
        rateLimit: { limit: 100, windowSeconds: 60 },
        rateLimits: [
          { name: 'per-second', limit: 10, windowSeconds: 1, algorithm: 'sliding', apply: 'always' },
          fixed('key', 100, 60),
          { name: 'exports', limit: 5, windowSeconds: 3600, algorithm: 'fixed', apply: 'on-request' },
        ],
      };
      expect(created).toMatchObject(expected);
      expect((await api.get(`/v1/keys/${created.id}`)).body).toMatchObject(expected);
    });

    it('sets the limit named key from a v1 rateLimit, on create and on PATCH, keeping the other limits', async () => {
      const created = await createKey(admin.url, tenant.admin, { rateLimit: { limit: 7, windowSeconds: 30 } });
      expect(created.rateLimits).toEqual([fixed('key', 7, 30)]);
      await api.patch(`/v1/keys/${created.id}`, { rateLimits: [fixed('key', 7, 30), fixed('daily', 1000, 86_400)] });
      const patched = await api.patch(`/v1/keys/${created.id}`, { rateLimit: { limit: 8, windowSeconds: 10 } });
      expect(patched.body).toMatchObject({
        rateLimit: { limit: 8, windowSeconds: 10 },
        rateLimits: [fixed('key', 8, 10), fixed('daily', 1000, 86_400)],
      });
      const cleared = await api.patch(`/v1/keys/${created.id}`, { rateLimit: null });
      expect(cleared.body).toMatchObject({ rateLimit: null, rateLimits: [fixed('daily', 1000, 86_400)] });
    });

    it('shows rateLimit null when the limit named key is sliding or on-request', async () => {
      const sliding = await createKey(admin.url, tenant.admin, {
        rateLimits: [{ name: 'key', limit: 5, windowSeconds: 5, algorithm: 'sliding' }],
      });
      expect(sliding).toMatchObject({ rateLimit: null, rateLimits: [{ name: 'key', algorithm: 'sliding' }] });
      const onRequest = await createKey(admin.url, tenant.admin, {
        rateLimits: [{ name: 'key', limit: 5, windowSeconds: 5, apply: 'on-request' }],
      });
      expect(onRequest.rateLimit).toBeNull();
    });

    it('takes rateLimit and rateLimits together when they agree, and refuses them when they do not', async () => {
      const agreeing = await api.post('/v1/keys', {
        name: 'both',
        rateLimit: { limit: 3, windowSeconds: 9 },
        rateLimits: [fixed('key', 3, 9), fixed('other', 1, 1)],
      });
      expect(agreeing.status).toBe(201);
      expect(agreeing.body.rateLimits).toEqual([fixed('key', 3, 9), fixed('other', 1, 1)]);
      const disagreeing: Array<[unknown, unknown]> = [
        [{ limit: 3, windowSeconds: 9 }, [fixed('key', 4, 9)]],
        [{ limit: 3, windowSeconds: 9 }, [fixed('other', 3, 9)]],
        [{ limit: 3, windowSeconds: 9 }, [{ ...fixed('key', 3, 9), algorithm: 'sliding' }]],
        [null, [fixed('key', 3, 9)]],
      ];
      for (const [rateLimit, rateLimits] of disagreeing) {
        const refused = await api.post('/v1/keys', { name: 'disagree', rateLimit, rateLimits });
        expect({ rateLimit, status: refused.status, fields: refused.body.errors?.map((e: any) => e.field) }).toEqual({
          rateLimit,
          status: 400,
          fields: ['rateLimit'],
        });
        const patched = await api.patch(`/v1/keys/${agreeing.body.id}`, { rateLimit, rateLimits });
        expect(patched.status).toBe(400);
      }
      expect((await api.get(`/v1/keys/${agreeing.body.id}`)).body.rateLimits).toEqual([fixed('key', 3, 9), fixed('other', 1, 1)]);
    });

    it('replaces every limit with a PATCH of rateLimits, [] clearing them', async () => {
      const created = await createKey(admin.url, tenant.admin, { rateLimits: [fixed('a', 1, 1), fixed('key', 2, 2)] });
      const patched = await api.patch(`/v1/keys/${created.id}`, { rateLimits: [fixed('b', 5, 5)] });
      expect(patched.body).toMatchObject({ rateLimit: null, rateLimits: [fixed('b', 5, 5)] });
      expect((await api.patch(`/v1/keys/${created.id}`, { rateLimits: [] })).body.rateLimits).toEqual([]);
    });

    it('accepts the boundaries: 10 limits, a name of 32 characters, a sliding limit of 10,000', async () => {
      const rateLimits = Array.from({ length: 10 }, (_, i) => fixed(`l${i}`, 1, 1));
      rateLimits[0] = { name: 'n'.repeat(32), limit: 10_000, windowSeconds: 31_536_000, algorithm: 'sliding', apply: 'always' };
      const created = await api.post('/v1/keys', { name: 'edges', rateLimits });
      expect(created.status).toBe(201);
      expect(created.body.rateLimits).toEqual(rateLimits);
    });
  });

  describe('credits', () => {
    it('takes credits with a refill and shows remaining as their v1 alias', async () => {
      const credits = { remaining: 500, refill: { interval: 'monthly', amount: 1000, dayOfMonth: 31 } };
      const created = await createKey(admin.url, tenant.admin, { credits });
      const expected = { remaining: 500, credits: { ...credits, refilledAt: null } };
      expect(created).toMatchObject(expected);
      expect((await api.get(`/v1/keys/${created.id}`)).body).toMatchObject(expected);
      const daily = await createKey(admin.url, tenant.admin, { credits: { remaining: 5, refill: { interval: 'daily', amount: 5 } } });
      expect(daily.credits.refill).toEqual({ interval: 'daily', amount: 5, dayOfMonth: null });
    });

    it('sets credits from a v1 remaining, and a PATCH of remaining keeps the refill', async () => {
      const created = await createKey(admin.url, tenant.admin, { remaining: 20 });
      expect(created.credits).toEqual({ remaining: 20, refill: null, refilledAt: null });
      await api.patch(`/v1/keys/${created.id}`, { credits: { remaining: 20, refill: { interval: 'daily', amount: 50 } } });
      const patched = await api.patch(`/v1/keys/${created.id}`, { remaining: 3 });
      expect(patched.body).toMatchObject({
        remaining: 3,
        credits: { remaining: 3, refill: { interval: 'daily', amount: 50, dayOfMonth: null } },
      });
      const unlimited = await api.patch(`/v1/keys/${created.id}`, { credits: null });
      expect(unlimited.body).toMatchObject({ remaining: null, credits: null });
      const again = await api.patch(`/v1/keys/${created.id}`, { remaining: 4 });
      expect(again.body.credits).toEqual({ remaining: 4, refill: null, refilledAt: null });
    });

    it('takes remaining and credits together when they agree, and refuses them when they do not', async () => {
      const agreeing = await api.post('/v1/keys', { name: 'both', remaining: 9, credits: { remaining: 9 } });
      expect(agreeing.status).toBe(201);
      const refused = await api.post('/v1/keys', { name: 'disagree', remaining: 9, credits: { remaining: 8 } });
      expect({ status: refused.status, fields: refused.body.errors?.map((e: any) => e.field) }).toEqual({
        status: 400,
        fields: ['remaining'],
      });
      const patched = await api.patch(`/v1/keys/${agreeing.body.id}`, { remaining: null, credits: { remaining: 1 } });
      expect(patched.status).toBe(400);
      expect((await api.get(`/v1/keys/${agreeing.body.id}`)).body.remaining).toBe(9);
    });

    it('shows a refill that is due as made: remaining the refill amount, refilledAt the start of the period', async () => {
      const created = await createKey(admin.url, tenant.admin, { credits: { remaining: 2, refill: { interval: 'daily', amount: 40 } } });
      // The stored balance belongs to the day before yesterday: today's refill is due.
      const today = Math.floor(Date.now() / DAY_MS);
      await sql('owner', 'UPDATE api_keys SET credits_period = $2 WHERE id = $1', [created.id, today - 2]);
      const shown = (await api.get(`/v1/keys/${created.id}`)).body;
      expect(shown).toMatchObject({ remaining: 40, credits: { remaining: 40, refilledAt: new Date(today * DAY_MS).toISOString() } });
      const listed = (await api.get('/v1/keys?limit=100')).body.data.find((key: any) => key.id === created.id);
      expect(listed.credits).toEqual(shown.credits);
    });

    it('copies named limits and credits to a rotated successor', async () => {
      const created = await createKey(admin.url, tenant.admin, {
        rateLimits: [fixed('key', 5, 5), { name: 's', limit: 3, windowSeconds: 3, algorithm: 'sliding', apply: 'on-request' }],
        credits: { remaining: 77, refill: { interval: 'monthly', amount: 100, dayOfMonth: 2 } },
      });
      const rotated = await api.post(`/v1/keys/${created.id}/rotate`, {});
      expect(rotated.status).toBe(201);
      expect(rotated.body).toMatchObject({
        rateLimit: created.rateLimit,
        rateLimits: created.rateLimits,
        remaining: 77,
        credits: created.credits,
      });
    });
  });

  describe('POST /v1/keys/{id}/credits', () => {
    it('increments, decrements and sets, each audited as key.credits_changed with the op and amount', async () => {
      const created = await createKey(admin.url, tenant.admin, { remaining: 10 });
      const changes = [
        { op: 'increment', amount: 90 },
        { op: 'decrement', amount: 25 },
        { op: 'set', amount: 7 },
        { op: 'increment', amount: 0 },
      ];
      const answers = [];
      for (const change of changes) {
        const answer = await api.post(`/v1/keys/${created.id}/credits`, change);
        answers.push([answer.status, answer.body]);
      }
      expect(answers).toEqual([
        [200, { remaining: 100 }],
        [200, { remaining: 75 }],
        [200, { remaining: 7 }],
        [200, { remaining: 7 }],
      ]);
      expect((await api.get(`/v1/keys/${created.id}`)).body).toMatchObject({ remaining: 7, credits: { remaining: 7 } });
      const audited = await events('key.credits_changed', created.id);
      expect(audited.map((event) => [event.target, event.details])).toEqual(
        changes.map((change) => [{ type: 'key', id: created.id }, change]),
      );
    });

    it('keeps the refill when set, and gives an unlimited key credits', async () => {
      const refilled = await createKey(admin.url, tenant.admin, { credits: { remaining: 1, refill: { interval: 'daily', amount: 10 } } });
      expect((await api.post(`/v1/keys/${refilled.id}/credits`, { op: 'set', amount: 4 })).body).toEqual({ remaining: 4 });
      expect((await api.get(`/v1/keys/${refilled.id}`)).body.credits).toMatchObject({
        remaining: 4,
        refill: { interval: 'daily', amount: 10 },
      });
      const unlimited = await createKey(admin.url, tenant.admin);
      expect((await api.post(`/v1/keys/${unlimited.id}/credits`, { op: 'set', amount: 6 })).body).toEqual({ remaining: 6 });
      expect((await api.get(`/v1/keys/${unlimited.id}`)).body.remaining).toBe(6);
    });

    it('refuses a decrement below zero with 409 INSUFFICIENT_CREDITS and changes nothing', async () => {
      const created = await createKey(admin.url, tenant.admin, { remaining: 5 });
      const refused = await api.post(`/v1/keys/${created.id}/credits`, { op: 'decrement', amount: 6 });
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 409, code: 'INSUFFICIENT_CREDITS' });
      expect((await api.get(`/v1/keys/${created.id}`)).body.remaining).toBe(5);
      expect(await events('key.credits_changed', created.id)).toEqual([]);
      // The live balance was not touched either.
      expect((await api.post(`/v1/keys/${created.id}/credits`, { op: 'decrement', amount: 5 })).body).toEqual({ remaining: 0 });
    });

    it('is 409 CONFLICT to increment unlimited credits or change a revoked key; 404 for no key or another tenant', async () => {
      const unlimited = await createKey(admin.url, tenant.admin);
      const conflict = await api.post(`/v1/keys/${unlimited.id}/credits`, { op: 'increment', amount: 1 });
      expect({ status: conflict.status, code: conflict.body.code }).toEqual({ status: 409, code: 'CONFLICT' });
      expect((await api.get(`/v1/keys/${unlimited.id}`)).body.remaining).toBeNull();
      const revoked = await createKey(admin.url, tenant.admin, { remaining: 3 });
      await api.post(`/v1/keys/${revoked.id}/revoke`, {});
      expect((await api.post(`/v1/keys/${revoked.id}/credits`, { op: 'set', amount: 9 })).status).toBe(409);
      expect((await api.post('/v1/keys/00000000-0000-4000-8000-000000000000/credits', { op: 'set', amount: 1 })).status).toBe(404);
      expect((await api.post('/v1/keys/not-a-uuid/credits', { op: 'set', amount: 1 })).status).toBe(404);
      const other = await createTenant(admin.url);
      const theirs = await createKey(admin.url, other.admin, { remaining: 3 });
      expect((await api.post(`/v1/keys/${theirs.id}/credits`, { op: 'set', amount: 100 })).status).toBe(404);
      expect((await client(admin.url, other.admin).get(`/v1/keys/${theirs.id}`)).body.remaining).toBe(3);
      const auditor = await client(admin.url, tenant.auditor).post(`/v1/keys/${revoked.id}/credits`, { op: 'set', amount: 1 });
      expect(auditor.status).toBe(403);
    });
  });

  describe('a top-up during verifications', () => {
    let verify: RunningHttpApp;
    beforeAll(async () => {
      verify = await startVerify();
    });
    afterAll(() => verify.close());

    it('ends at start + 100 - VALID after an increment of 100 amid 1,000 concurrent verifications', async () => {
      const start = 500;
      const { id, key } = await createKey(admin.url, tenant.admin, { remaining: start });
      const verifier = client(verify.url, tenant.verifier);
      expect((await verifier.post('/v1/verify', { key })).body).toMatchObject({ code: 'VALID', remaining: start - 1 });
      const storeErrors = async () =>
        total(parseSamples((await request<string>(verify.url, 'GET', '/metrics')).body), 'keyward_verify_store_errors_total');
      const errorsBefore = await storeErrors();
      const verifications = Array.from({ length: 1000 }, () => verifier.post('/v1/verify', { key }));
      await sleep(5);
      const topUp = api.post(`/v1/keys/${id}/credits`, { op: 'increment', amount: 100 });
      const answers = await Promise.all(verifications);
      expect((await topUp).status).toBe(200);
      const count = (code: string) => answers.filter((answer) => answer.body.code === code).length;
      const valid = count('VALID') + 1;
      // The key has no rate limit: a RATE_LIMITED can only be the answer of a store that did not answer in
      // time on this loaded machine (docs/failure-modes.md), counted as a store error; it charges nothing.
      expect({ others: 1000 - count('VALID') - count('USAGE_EXCEEDED') - count('RATE_LIMITED') }).toEqual({ others: 0 });
      expect(count('RATE_LIMITED')).toBeLessThanOrEqual((await storeErrors()) - errorsBefore);
      // Every credit of the start was granted (but for such refusals); of the top-up, those that arrived in time.
      expect(valid + count('RATE_LIMITED')).toBeGreaterThanOrEqual(start);
      expect(valid).toBeLessThanOrEqual(start + 100);
      // The live balance, and (written back within seconds) the stored one.
      const live = (await api.post(`/v1/keys/${id}/credits`, { op: 'increment', amount: 0 })).body.remaining;
      const refused = { exceeded: count('USAGE_EXCEEDED'), fallback: count('RATE_LIMITED') };
      expect({ live, valid, refused }).toEqual({ live: start + 100 - valid, valid, refused });
      let stored: number | null = null;
      for (let waited = 0; waited < 10_000 && stored !== start + 100 - valid; waited += 200) {
        stored = (await api.get(`/v1/keys/${id}`)).body.remaining;
        if (stored !== start + 100 - valid) await sleep(200);
      }
      expect(stored).toBe(start + 100 - valid);
    });
  });

  describe('bad input on the new fields', () => {
    type Case = [label: string, body: Record<string, unknown>, field: string];
    const CASES = BAD_LIMITS_AND_CREDITS;
    /** Refused on create only: PATCH takes credits null (unlimited). */
    const CREATE_ONLY: Case[] = [['credits null', { credits: null }, 'credits']];
    let target: any;

    async function written(): Promise<unknown> {
      const [row] = await sql(
        'owner',
        `SELECT (SELECT count(*) FROM api_keys WHERE tenant_id = $1)::int AS keys,
                (SELECT count(*) FROM audit_events WHERE tenant_id = $1)::int AS events,
                (SELECT to_jsonb(k) - 'key_hash' FROM api_keys k WHERE id = $2) AS target`,
        [tenant.id, target.id],
      );
      return row;
    }

    beforeAll(async () => {
      target = await createKey(admin.url, tenant.admin, {
        name: 'target',
        rateLimits: [fixed('key', 5, 60), { name: 's', limit: 2, windowSeconds: 2, algorithm: 'sliding', apply: 'always' }],
        credits: { remaining: 10, refill: { interval: 'monthly', amount: 10, dayOfMonth: 3 } },
      });
    });

    it.each([...CASES, ...CREATE_ONLY])('refuses %s on create, naming the field, and writes nothing', async (_label, body, field) => {
      const before = await written();
      expectRefused(await api.post('/v1/keys', { name: 'refused', ...body }), field);
      expect(await written()).toEqual(before);
    });

    it.each(CASES)('refuses %s on PATCH, naming the field, and changes nothing', async (_label, body, field) => {
      const before = await written();
      expectRefused(await api.patch(`/v1/keys/${target.id}`, body), field);
      expect(await written()).toEqual(before);
    });

    it.each(BAD_CREDIT_CHANGES)('refuses a credits change with %s, naming the field, and changes nothing', async (_label, body, field) => {
      const before = await written();
      expectRefused(await api.post(`/v1/keys/${target.id}/credits`, body), field);
      expect(await written()).toEqual(before);
    });

    it('refuses a credits change whose body is not an object', async () => {
      const before = await written();
      for (const raw of ['[]', '"set"', '5', 'null']) {
        const refused = await api.post(`/v1/keys/${target.id}/credits`, undefined, {
          rawBody: raw,
          headers: { 'content-type': 'application/json' },
        });
        expectRefused(refused, 'body');
      }
      expect(await written()).toEqual(before);
    });
  });
});
