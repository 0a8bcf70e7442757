// docs/api.md, Conventions: anything that belongs to another tenant is 404, never 403, and nothing a
// tenant does through the keys and policy routes reaches another tenant's keys or policy.
import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client, type TestResponse } from './support/http-client';
import { createKey, inBatches } from './support/key-builders';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';

describe('keys across tenants', () => {
  let admin: RunningHttpApp;
  let a: TestTenant;
  let b: TestTenant;
  let bKey: any;
  let bKeys: any[];

  beforeAll(async () => {
    admin = await startAdminApi();
    [a, b] = await Promise.all([createTenant(admin.url), createTenant(admin.url)]);
    bKey = await createKey(admin.url, b.admin, {
      name: 'b-secret-service',
      ownerId: 'shared-owner',
      scopes: ['b:*'],
      rotation: { intervalSeconds: 3600, gracePeriodSeconds: 600 },
    });
    bKeys = [bKey, ...(await inBatches(10, 5, (i) => createKey(admin.url, b.admin, { name: `b-${i}`, ownerId: 'shared-owner' })))];
    await inBatches(5, 5, (i) => createKey(admin.url, a.admin, { name: `a-${i}`, ownerId: 'shared-owner' }));
  });
  afterAll(() => admin.close());

  function expectNotFound(answer: TestResponse): void {
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(JSON.stringify(answer.body)).not.toContain('b-secret-service');
  }

  async function expectBKeyUntouched(): Promise<void> {
    const seen = await client(admin.url, b.admin).get(`/v1/keys/${bKey.id}`);
    const { key: _plaintext, ...original } = bKey;
    expect(seen.body).toEqual(original);
    expect(seen.body).toMatchObject({ status: 'active', name: 'b-secret-service', expiresAt: null });
    const successors = await sql('owner', 'SELECT id FROM api_keys WHERE previous_key_id = $1', [bKey.id]);
    expect(successors).toEqual([]);
    const events = await sql<{ action: string }>('owner', `SELECT action FROM audit_events WHERE target_id = $1 ORDER BY seq`, [bKey.id]);
    expect(events.map((event) => event.action)).toEqual(['key.created']);
  }

  it("answers tenant A's admin 404 NOT_FOUND for B's key on GET, PATCH, rotate and revoke, and leaves it unchanged", async () => {
    const api = client(admin.url, a.admin);
    expectNotFound(await api.get(`/v1/keys/${bKey.id}`));
    expectNotFound(await api.patch(`/v1/keys/${bKey.id}`, { name: 'hijacked', enabled: false }));
    expectNotFound(await api.patch(`/v1/keys/${bKey.id}`, { expiresAt: new Date(Date.now() + 1000).toISOString() }));
    expectNotFound(await api.post(`/v1/keys/${bKey.id}/rotate`, { gracePeriodSeconds: 0 }));
    expectNotFound(await api.post(`/v1/keys/${bKey.id}/rotate`, {}));
    expectNotFound(await api.post(`/v1/keys/${bKey.id}/revoke`, { reason: 'hijacked' }));
    await expectBKeyUntouched();
  });

  it("answers the same 404 for B's key as for a key that does not exist", async () => {
    const api = client(admin.url, a.admin);
    const foreign = await api.get(`/v1/keys/${bKey.id}`);
    const missing = await api.get('/v1/keys/00000000-0000-4000-8000-000000000000');
    const strip = (body: any) => ({ ...body, requestId: undefined });
    expect(strip(foreign.body)).toEqual(strip(missing.body));
  });

  it("answers tenant A's auditor 404 NOT_FOUND for B's key", async () => {
    expectNotFound(await client(admin.url, a.auditor).get(`/v1/keys/${bKey.id}`));
  });

  it("answers 404 with an Idempotency-Key on B's key too, and rotates nothing", async () => {
    const api = client(admin.url, a.admin);
    const headers = { 'idempotency-key': 'cross-tenant-rotate' };
    expectNotFound(await api.post(`/v1/keys/${bKey.id}/rotate`, { gracePeriodSeconds: 0 }, { headers }));
    expectNotFound(await api.post(`/v1/keys/${bKey.id}/rotate`, { gracePeriodSeconds: 0 }, { headers }));
    await expectBKeyUntouched();
  });

  it("never lists B's keys to A: not in full pages, not by ownerId, not by status", async () => {
    const api = client(admin.url, a.admin);
    const bIds = new Set(bKeys.map((key) => key.id));
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/v1/keys?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await api.get(path);
      expect(page.status).toBe(200);
      seen.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(5);
    expect(seen.filter((key) => bIds.has(key.id))).toEqual([]);

    for (const query of ['ownerId=shared-owner', 'status=active', 'ownerId=shared-owner&status=active&limit=100']) {
      const page = await api.get(`/v1/keys?${query}`);
      expect(page.body.data).toHaveLength(5);
      expect(page.body.data.filter((key: any) => bIds.has(key.id))).toEqual([]);
    }
    const asAuditor = await client(admin.url, a.auditor).get('/v1/keys?limit=100');
    expect(asAuditor.body.data.filter((key: any) => bIds.has(key.id))).toEqual([]);
  });

  it("does not let a cursor made from B's list show B's keys to A", async () => {
    const bPage = await client(admin.url, b.admin).get('/v1/keys?limit=2');
    const aPage = await client(admin.url, a.admin).get(`/v1/keys?limit=100&cursor=${encodeURIComponent(bPage.body.nextCursor)}`);
    expect([200, 400]).toContain(aPage.status);
    const bIds = new Set(bKeys.map((key) => key.id));
    expect((aPage.body.data ?? []).filter((key: any) => bIds.has(key.id))).toEqual([]);
  });

  it("shows A no audit events of B's key", async () => {
    const events = await client(admin.url, a.auditor).get(`/v1/audit-events?keyId=${bKey.id}`);
    expect(events.status).toBe(200);
    expect(events.body.data).toEqual([]);
  });

  it('gives two tenants using one Idempotency-Key and one body two different keys', async () => {
    const headers = { 'idempotency-key': 'same-key-in-two-tenants' };
    const body = { name: 'twin', ownerId: 'twin-owner' };
    const fromA = await client(admin.url, a.admin).post('/v1/keys', body, { headers });
    const fromB = await client(admin.url, b.admin).post('/v1/keys', body, { headers });
    expect(fromA.status).toBe(201);
    expect(fromB.status).toBe(201);
    expect(fromA.body.id).not.toBe(fromB.body.id);
    expect(fromA.body.key).not.toBe(fromB.body.key);
    const aTwins = await client(admin.url, a.admin).get('/v1/keys?ownerId=twin-owner');
    expect(aTwins.body.data.map((key: any) => key.id)).toEqual([fromA.body.id]);
  });

  it("keeps B's policy, and B's keys free of A's lifetime limit, when A replaces its policy", async () => {
    const bPolicyBefore = await client(admin.url, b.admin).get('/v1/policy');
    const put = await client(admin.url, a.admin).put('/v1/policy', {
      unusedKeyDays: 1,
      unusedKeyAction: 'revoke',
      maxKeyLifetimeDays: 1,
      expiryWarningDays: [1],
    });
    expect(put.status).toBe(200);
    expect((await client(admin.url, b.admin).get('/v1/policy')).body).toEqual(bPolicyBefore.body);
    expect(bPolicyBefore.body).toEqual({
      unusedKeyDays: null,
      unusedKeyAction: 'report',
      maxKeyLifetimeDays: null,
      expiryWarningDays: [7, 1],
      leakedKeyAction: 'revoke',
      creditsLowPercent: 20,
      limitNearPercent: 75,
      spikeFactor: 5,
      spikeMinimum: 100,
      newSourceSignals: false,
    });
    const bNew = await createKey(admin.url, b.admin, { name: 'b-after-a-policy' });
    expect(bNew.expiresAt).toBeNull();
    const aNew = await createKey(admin.url, a.admin, { name: 'a-after-a-policy' });
    expect(aNew.expiresAt).not.toBeNull();
    const bEvents = await client(admin.url, b.auditor).get('/v1/audit-events?action=policy.updated');
    expect(bEvents.body.data).toEqual([]);
    await expectBKeyUntouched();
  });
});
