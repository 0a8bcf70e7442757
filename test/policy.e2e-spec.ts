// docs/api.md, Policy and Credentials and roles: the policy's defaults, replacement and validation, its key
// lifetime limit on create, patch and rotate, and who may read and change keys and policy.
import { randomUUID } from 'node:crypto';
import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client } from './support/http-client';
import { createKey } from './support/key-builders';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

const DAY_MS = 86_400_000;
const daysAhead = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

/** The usage signals' fields (docs/api.md, Usage signals) as a tenant has them until it sets them. */
const SIGNAL_DEFAULTS = { creditsLowPercent: 20, limitNearPercent: 75, spikeFactor: 5, spikeMinimum: 100, newSourceSignals: false };
const DEFAULT_POLICY = {
  unusedKeyDays: null,
  unusedKeyAction: 'report',
  maxKeyLifetimeDays: null,
  expiryWarningDays: [7, 1],
  leakedKeyAction: 'revoke',
  ...SIGNAL_DEFAULTS,
};
const FULL_POLICY = {
  unusedKeyDays: 90,
  unusedKeyAction: 'disable',
  maxKeyLifetimeDays: 365,
  expiryWarningDays: [14, 1, 30, 7],
  leakedKeyAction: 'disable',
  creditsLowPercent: 10,
  limitNearPercent: 90,
  spikeFactor: 3,
  spikeMinimum: 50,
  newSourceSignals: true,
};

describe('tenant policy', () => {
  let admin: RunningHttpApp;
  beforeAll(async () => {
    admin = await startAdminApi();
  });
  afterAll(() => admin.close());

  describe('GET and PUT /v1/policy', () => {
    it('answers the defaults for a tenant that never set a policy', async () => {
      const tenant = await createTenant(admin.url);
      const policy = await client(admin.url, tenant.admin).get('/v1/policy');
      expect(policy.status).toBe(200);
      expect(policy.body).toEqual(DEFAULT_POLICY);
    });

    it('replaces the whole policy and answers it, warning days de-duplicated and sorted descending', async () => {
      const tenant = await createTenant(admin.url);
      const api = client(admin.url, tenant.admin);
      const put = await api.put('/v1/policy', FULL_POLICY);
      expect(put.status).toBe(200);
      const expected = { ...FULL_POLICY, expiryWarningDays: [30, 14, 7, 1] };
      expect(put.body).toEqual(expected);
      expect((await api.get('/v1/policy')).body).toEqual(expected);
      expect((await client(admin.url, tenant.auditor).get('/v1/policy')).body).toEqual(expected);
    });

    it('turns limits off again with null, and accepts no warning days and unusedKeyDays 0', async () => {
      const tenant = await createTenant(admin.url);
      const api = client(admin.url, tenant.admin);
      await api.put('/v1/policy', FULL_POLICY);
      const off = {
        unusedKeyDays: 0,
        unusedKeyAction: 'revoke',
        maxKeyLifetimeDays: null,
        expiryWarningDays: [],
        leakedKeyAction: 'report',
      };
      const put = await api.put('/v1/policy', off);
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ ...off, ...SIGNAL_DEFAULTS });
      const nulls = { ...off, unusedKeyDays: null, unusedKeyAction: 'report' };
      expect((await api.put('/v1/policy', nulls)).body).toEqual({ ...nulls, ...SIGNAL_DEFAULTS });
      expect((await api.get('/v1/policy')).body).toEqual({ ...nulls, ...SIGNAL_DEFAULTS });
    });

    it('takes leakedKeyAction as revoke, its default, when a PUT leaves it out', async () => {
      const tenant = await createTenant(admin.url);
      const api = client(admin.url, tenant.admin);
      await api.put('/v1/policy', FULL_POLICY);
      const { leakedKeyAction: _l, ...withoutLeakedKeyAction } = FULL_POLICY;
      const put = await api.put('/v1/policy', withoutLeakedKeyAction);
      expect(put.status).toBe(200);
      expect(put.body.leakedKeyAction).toBe('revoke');
      expect((await api.get('/v1/policy')).body.leakedKeyAction).toBe('revoke');
    });

    it('takes each usage signal field as its default when a PUT written before they existed leaves them out', async () => {
      const tenant = await createTenant(admin.url);
      const api = client(admin.url, tenant.admin);
      await api.put('/v1/policy', FULL_POLICY);
      const {
        creditsLowPercent: _c,
        limitNearPercent: _l,
        spikeFactor: _f,
        spikeMinimum: _m,
        newSourceSignals: _n,
        ...older
      } = FULL_POLICY;
      const put = await api.put('/v1/policy', older);
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ ...older, ...SIGNAL_DEFAULTS, expiryWarningDays: [30, 14, 7, 1] });
      expect((await api.get('/v1/policy')).body).toMatchObject(SIGNAL_DEFAULTS);
    });

    it('records each change as a policy.updated audit event holding the new policy', async () => {
      const tenant = await createTenant(admin.url);
      const api = client(admin.url, tenant.admin);
      await api.put('/v1/policy', FULL_POLICY);
      const events = await client(admin.url, tenant.auditor).get('/v1/audit-events?action=policy.updated');
      expect(events.body.data).toHaveLength(1);
      expect(events.body.data[0]).toMatchObject({
        action: 'policy.updated',
        actor: { type: 'credential' },
        details: { ...FULL_POLICY, expiryWarningDays: [30, 14, 7, 1] },
      });
    });

    describe('validation', () => {
      let tenant: TestTenant;
      const { unusedKeyDays: _u, ...withoutUnusedKeyDays } = FULL_POLICY;
      const { unusedKeyAction: _a, ...withoutUnusedKeyAction } = FULL_POLICY;
      const { maxKeyLifetimeDays: _m, ...withoutMaxKeyLifetimeDays } = FULL_POLICY;
      const { expiryWarningDays: _e, ...withoutExpiryWarningDays } = FULL_POLICY;

      beforeAll(async () => {
        tenant = await createTenant(admin.url);
        await client(admin.url, tenant.admin).put('/v1/policy', { ...FULL_POLICY, unusedKeyDays: 30 });
      });

      it.each([
        ["unusedKeyAction 'delete'", { ...FULL_POLICY, unusedKeyAction: 'delete' }, 'unusedKeyAction'],
        ["leakedKeyAction 'ignore'", { ...FULL_POLICY, leakedKeyAction: 'ignore' }, 'leakedKeyAction'],
        ['leakedKeyAction null', { ...FULL_POLICY, leakedKeyAction: null }, 'leakedKeyAction'],
        ['creditsLowPercent 0', { ...FULL_POLICY, creditsLowPercent: 0 }, 'creditsLowPercent'],
        ['limitNearPercent 101', { ...FULL_POLICY, limitNearPercent: 101 }, 'limitNearPercent'],
        ['a fractional spikeFactor', { ...FULL_POLICY, spikeFactor: 2.5 }, 'spikeFactor'],
        ['spikeMinimum null', { ...FULL_POLICY, spikeMinimum: null }, 'spikeMinimum'],
        ["newSourceSignals 'yes'", { ...FULL_POLICY, newSourceSignals: 'yes' }, 'newSourceSignals'],
        ['unusedKeyAction null', { ...FULL_POLICY, unusedKeyAction: null }, 'unusedKeyAction'],
        ['maxKeyLifetimeDays 0', { ...FULL_POLICY, maxKeyLifetimeDays: 0 }, 'maxKeyLifetimeDays'],
        ['a fractional maxKeyLifetimeDays', { ...FULL_POLICY, maxKeyLifetimeDays: 1.5 }, 'maxKeyLifetimeDays'],
        ['maxKeyLifetimeDays as a string', { ...FULL_POLICY, maxKeyLifetimeDays: '30' }, 'maxKeyLifetimeDays'],
        ['unusedKeyDays -1', { ...FULL_POLICY, unusedKeyDays: -1 }, 'unusedKeyDays'],
        ['expiryWarningDays [0]', { ...FULL_POLICY, expiryWarningDays: [0] }, 'expiryWarningDays'],
        ['duplicate warning days', { ...FULL_POLICY, expiryWarningDays: [7, 7] }, 'expiryWarningDays'],
        ['a fractional warning day', { ...FULL_POLICY, expiryWarningDays: [1.5] }, 'expiryWarningDays'],
        ['expiryWarningDays that is not an array', { ...FULL_POLICY, expiryWarningDays: 7 }, 'expiryWarningDays'],
        ['expiryWarningDays null', { ...FULL_POLICY, expiryWarningDays: null }, 'expiryWarningDays'],
        ['no unusedKeyDays', withoutUnusedKeyDays, 'unusedKeyDays'],
        ['no unusedKeyAction', withoutUnusedKeyAction, 'unusedKeyAction'],
        ['no maxKeyLifetimeDays', withoutMaxKeyLifetimeDays, 'maxKeyLifetimeDays'],
        ['no expiryWarningDays', withoutExpiryWarningDays, 'expiryWarningDays'],
        ['an unknown field', { ...FULL_POLICY, maxKeyCount: 10 }, 'maxKeyCount'],
      ])('refuses %s with 400 naming the field, and keeps the policy', async (_label, body, field) => {
        const api = client(admin.url, tenant.admin);
        const before = await api.get('/v1/policy');
        const [eventsBefore] = await sql('owner', 'SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1', [tenant.id]);
        const refused = await api.put('/v1/policy', body);
        expect(refused.status).toBe(400);
        expect(refused.body.code).toBe('VALIDATION_FAILED');
        expect(refused.body.errors.map((error: any) => error.field)).toContain(field);
        expect((await api.get('/v1/policy')).body).toEqual(before.body);
        const [eventsAfter] = await sql('owner', 'SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1', [tenant.id]);
        expect(eventsAfter.n).toBe(eventsBefore.n);
      });

      it('refuses a body that is not an object', async () => {
        const refused = await client(admin.url, tenant.admin).put('/v1/policy', [FULL_POLICY]);
        expect(refused.status).toBe(400);
        expect(refused.body.code).toBe('VALIDATION_FAILED');
      });
    });
  });

  describe('maxKeyLifetimeDays', () => {
    let tenant: TestTenant;
    let api: ReturnType<typeof client>;
    /** Made before the policy: no expiry, and one 60 days ahead. */
    let unlimited: any;
    let longLived: any;

    beforeAll(async () => {
      tenant = await createTenant(admin.url);
      api = client(admin.url, tenant.admin);
      unlimited = await createKey(admin.url, tenant.admin, { name: 'before the policy' });
      longLived = await createKey(admin.url, tenant.admin, { name: 'long-lived', expiresAt: daysAhead(60) });
      const put = await api.put('/v1/policy', {
        unusedKeyDays: null,
        unusedKeyAction: 'report',
        maxKeyLifetimeDays: 30,
        expiryWarningDays: [7, 1],
      });
      expect(put.status).toBe(200);
    });

    it('gives a key created without expiresAt an expiry of createdAt + 30 days', async () => {
      const created = await api.post('/v1/keys', { name: 'bounded' });
      expect(created.status).toBe(201);
      const lifetime = Date.parse(created.body.expiresAt) - Date.parse(created.body.createdAt);
      expect(Math.abs(lifetime - 30 * DAY_MS)).toBeLessThan(2000);
    });

    it('keeps a requested expiry within the limit as given', async () => {
      const expiresAt = daysAhead(29);
      const created = await api.post('/v1/keys', { name: 'within', expiresAt });
      expect(created.status).toBe(201);
      expect(created.body.expiresAt).toBe(expiresAt);
    });

    it('refuses an expiresAt 31 days ahead with 400 naming expiresAt, and creates nothing', async () => {
      const [before] = await sql('owner', 'SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1', [tenant.id]);
      const refused = await api.post('/v1/keys', { name: 'too long', expiresAt: daysAhead(31) });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.errors.map((error: any) => error.field)).toContain('expiresAt');
      const [after] = await sql('owner', 'SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1', [tenant.id]);
      expect(after.n).toBe(before.n);
    });

    it('refuses a PATCH of expiresAt to 40 days ahead or to null, and accepts one within the limit', async () => {
      const key = await createKey(admin.url, tenant.admin, { name: 'patched' });
      for (const expiresAt of [daysAhead(40), null]) {
        const refused = await api.patch(`/v1/keys/${key.id}`, { expiresAt });
        expect(refused.status).toBe(400);
        expect(refused.body.code).toBe('VALIDATION_FAILED');
        expect(refused.body.errors.map((error: any) => error.field)).toContain('expiresAt');
        expect((await api.get(`/v1/keys/${key.id}`)).body.expiresAt).toBe(key.expiresAt);
      }
      const within = daysAhead(20);
      const patched = await api.patch(`/v1/keys/${key.id}`, { expiresAt: within });
      expect(patched.status).toBe(200);
      expect(patched.body.expiresAt).toBe(within);
    });

    it('lets other fields of a key be patched without touching its expiry', async () => {
      const patched = await api.patch(`/v1/keys/${unlimited.id}`, { name: 'renamed under the policy' });
      expect(patched.status).toBe(200);
      expect(patched.body.expiresAt).toBeNull();
    });

    it('gives the successor of a key issued under the policy an expiry within the limit', async () => {
      const key = await createKey(admin.url, tenant.admin, { name: 'rotated' });
      const rotated = await api.post(`/v1/keys/${key.id}/rotate`, { gracePeriodSeconds: 60 });
      expect(rotated.status).toBe(201);
      expect(rotated.body.expiresAt).not.toBeNull();
      expect(Date.parse(rotated.body.expiresAt) - Date.parse(rotated.body.createdAt)).toBeLessThanOrEqual(30 * DAY_MS + 1000);
    });

    it('gives the successor of a key made before the policy without an expiry one within the limit', async () => {
      const rotated = await api.post(`/v1/keys/${unlimited.id}/rotate`, { gracePeriodSeconds: 60 });
      expect(rotated.status).toBe(201);
      expect(rotated.body.expiresAt).not.toBeNull();
      expect(Date.parse(rotated.body.expiresAt) - Date.parse(rotated.body.createdAt)).toBeLessThanOrEqual(30 * DAY_MS + 1000);
    });

    it('rotates a key made before the policy with a longer lifetime, its successor capped at the limit', async () => {
      const rotated = await api.post(`/v1/keys/${longLived.id}/rotate`, { gracePeriodSeconds: 60 });
      expect(rotated.status).toBe(201);
      expect(rotated.body.expiresAt).not.toBeNull();
      expect(Date.parse(rotated.body.expiresAt) - Date.parse(rotated.body.createdAt)).toBeLessThanOrEqual(30 * DAY_MS + 1000);
    });
  });

  describe('roles', () => {
    let tenant: TestTenant;
    let key: any;
    beforeAll(async () => {
      tenant = await createTenant(admin.url);
      key = await createKey(admin.url, tenant.admin, { name: 'guarded' });
    });

    const writes = (id: string): Array<[string, string, unknown]> => [
      ['POST', '/v1/keys', { name: 'intruder' }],
      ['PATCH', `/v1/keys/${id}`, { name: 'intruder' }],
      ['POST', `/v1/keys/${id}/rotate`, { gracePeriodSeconds: 0 }],
      ['POST', `/v1/keys/${id}/revoke`, { reason: 'intruder' }],
      ['PUT', '/v1/policy', FULL_POLICY],
    ];
    const reads = (id: string): Array<[string, string, unknown]> => [
      ['GET', '/v1/keys', undefined],
      ['GET', `/v1/keys/${id}`, undefined],
      ['GET', '/v1/policy', undefined],
    ];

    async function call(token: string, method: string, path: string, body: unknown) {
      const api = client(admin.url, token);
      switch (method) {
        case 'GET':
          return api.get(path);
        case 'POST':
          return api.post(path, body);
        case 'PATCH':
          return api.patch(path, body);
        default:
          return api.put(path, body);
      }
    }

    async function writtenRows(): Promise<unknown> {
      return (
        await sql(
          'owner',
          `SELECT (SELECT count(*) FROM api_keys WHERE tenant_id = $1)::int AS keys,
                  (SELECT count(*) FROM audit_events WHERE tenant_id = $1)::int AS events,
                  (SELECT count(*) FROM tenant_policies WHERE tenant_id = $1)::int AS policies`,
          [tenant.id],
        )
      )[0];
    }

    it('lets the auditor read keys, a key and the policy', async () => {
      for (const [method, path, body] of reads(key.id)) {
        const answer = await call(tenant.auditor, method, path, body);
        expect({ method, path, status: answer.status }).toEqual({ method, path, status: 200 });
      }
    });

    it('answers the auditor 403 FORBIDDEN on every write, and writes nothing', async () => {
      const before = await writtenRows();
      for (const [method, path, body] of writes(key.id)) {
        const answer = await call(tenant.auditor, method, path, body);
        expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({ method, path, status: 403, code: 'FORBIDDEN' });
      }
      expect(await writtenRows()).toEqual(before);
      expect((await client(admin.url, tenant.admin).get(`/v1/keys/${key.id}`)).body).toMatchObject({ name: 'guarded', status: 'active' });
    });

    it('answers the verifier 403 FORBIDDEN on every keys and policy route, and writes nothing', async () => {
      const before = await writtenRows();
      for (const [method, path, body] of [...reads(key.id), ...writes(key.id)]) {
        const answer = await call(tenant.verifier, method, path, body);
        expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({ method, path, status: 403, code: 'FORBIDDEN' });
      }
      for (const path of ['/v1/audit-events', '/v1/credentials']) {
        expect((await call(tenant.verifier, 'GET', path, undefined)).status).toBe(403);
      }
      expect(await writtenRows()).toEqual(before);
    });

    it('answers the platform operator 403 FORBIDDEN on the tenant keys and policy routes', async () => {
      const before = await writtenRows();
      for (const [method, path, body] of [...reads(key.id), ...writes(key.id)]) {
        const answer = await call(TEST_PLATFORM_TOKEN, method, path, body);
        expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({ method, path, status: 403, code: 'FORBIDDEN' });
      }
      expect(await writtenRows()).toEqual(before);
    });

    it('answers 401 with WWW-Authenticate without a token or with an unknown one', async () => {
      for (const token of [undefined, `kwc_${randomUUID().replace(/-/g, '')}`]) {
        for (const [method, path, body] of [...reads(key.id), ...writes(key.id)]) {
          const answer = await call(token as string, method, path, body);
          expect({ method, path, status: answer.status }).toEqual({ method, path, status: 401 });
          expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
        }
      }
    });
  });
});
