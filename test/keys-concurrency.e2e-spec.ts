// docs/api.md, Keys and Headers (Idempotency-Key): however many requests race, one successor per key
// and one key per Idempotency-Key are made, and every duplicate gets the first answer or a 409.
import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client, type TestResponse } from './support/http-client';
import { createKey, KEY_SHAPE } from './support/key-builders';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';

const RACERS = 10;

async function successorIds(keyId: string): Promise<string[]> {
  return (await sql<{ id: string }>('owner', 'SELECT id FROM api_keys WHERE previous_key_id = $1', [keyId])).map((row) => row.id);
}

async function keyCount(tenantId: string, ownerId: string): Promise<number> {
  const [row] = await sql<{ n: number }>('owner', 'SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1 AND owner_id = $2', [
    tenantId,
    ownerId,
  ]);
  return row.n;
}

function statuses(answers: TestResponse[]): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const answer of answers) {
    const label = answer.status < 300 ? String(answer.status) : `${answer.status} ${answer.body?.code}`;
    tally[label] = (tally[label] ?? 0) + 1;
  }
  return tally;
}

describe('keys under concurrency', () => {
  let admin: RunningHttpApp;
  let tenant: TestTenant;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    admin = await startAdminApi();
    tenant = await createTenant(admin.url);
    api = client(admin.url, tenant.admin);
  });
  afterAll(() => admin.close());

  describe('rotation', () => {
    it.each([1, 2, 3])('yields exactly one successor when 10 rotations of one key race (round %i)', async () => {
      const key = await createKey(admin.url, tenant.admin, { name: 'raced', scopes: ['a:read'] });
      const answers = await Promise.all(
        Array.from({ length: RACERS }, () => api.post(`/v1/keys/${key.id}/rotate`, { gracePeriodSeconds: 60 })),
      );
      expect(statuses(answers)).toEqual({ '201': 1, '409 CONFLICT': RACERS - 1 });
      const winner = answers.find((answer) => answer.status === 201)!;
      expect(winner.body.previousKeyId).toBe(key.id);
      expect(winner.body.key).toMatch(KEY_SHAPE);
      expect(await successorIds(key.id)).toEqual([winner.body.id]);
      const rotatedEvents = await api.get(`/v1/audit-events?keyId=${key.id}&action=key.rotated`);
      expect(rotatedEvents.body.data).toHaveLength(1);
      expect(rotatedEvents.body.data[0].details.successorKeyId).toBe(winner.body.id);
      expect((await api.get('/v1/audit-events/verify')).body.valid).toBe(true);
    });

    it('yields one consistent outcome when a rotation and a revocation of one key race', async () => {
      const key = await createKey(admin.url, tenant.admin, { name: 'rotate-or-revoke' });
      const [rotated, revoked] = await Promise.all([
        api.post(`/v1/keys/${key.id}/rotate`, { gracePeriodSeconds: 60 }),
        api.post(`/v1/keys/${key.id}/revoke`, {}),
      ]);
      expect(revoked.status).toBe(200);
      expect(revoked.body.status).toBe('revoked');
      expect([201, 409]).toContain(rotated.status);
      expect(await successorIds(key.id)).toEqual(rotated.status === 201 ? [rotated.body.id] : []);
      expect((await api.get(`/v1/keys/${key.id}`)).body.status).toBe('revoked');
    });

    it('records one key.revoked event when 10 revocations of one key race', async () => {
      const key = await createKey(admin.url, tenant.admin, { name: 'revoked at once' });
      const answers = await Promise.all(
        Array.from({ length: RACERS }, (_, i) => api.post(`/v1/keys/${key.id}/revoke`, { reason: `racer ${i}` })),
      );
      expect(statuses(answers)).toEqual({ '200': RACERS });
      expect(answers.every((answer) => answer.body.status === 'revoked')).toBe(true);
      const events = await api.get(`/v1/audit-events?keyId=${key.id}&action=key.revoked`);
      expect(events.body.data).toHaveLength(1);
    });
  });

  describe('Idempotency-Key on POST /v1/keys', () => {
    it('creates one key for 10 racing requests with one Idempotency-Key and one body, every 201 carrying the same key', async () => {
      const ownerId = 'idem-race-owner';
      const body = { name: 'idempotent', ownerId, scopes: ['x:*'], remaining: 10 };
      const headers = { 'idempotency-key': 'race-create-1' };
      const answers = await Promise.all(Array.from({ length: RACERS }, () => api.post('/v1/keys', body, { headers })));
      const tally = statuses(answers);
      expect(Object.keys(tally).every((label) => label === '201' || label === '409 IDEMPOTENCY_KEY_IN_USE')).toBe(true);
      const created = answers.filter((answer) => answer.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((answer) => answer.body.id)).size).toBe(1);
      expect(new Set(created.map((answer) => answer.body.key)).size).toBe(1);
      expect(created[0].body.key).toMatch(KEY_SHAPE);
      for (const answer of created) expect(answer.body).toEqual(created[0].body);
      expect(await keyCount(tenant.id, ownerId)).toBe(1);

      const retry = await api.post('/v1/keys', body, { headers });
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(created[0].body);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await keyCount(tenant.id, ownerId)).toBe(1);
      const createdEvents = await sql(
        'owner',
        `SELECT 1 FROM audit_events WHERE tenant_id = $1 AND action = 'key.created' AND target_id = $2`,
        [tenant.id, created[0].body.id],
      );
      expect(createdEvents).toHaveLength(1);
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED for the same Idempotency-Key with another body, and creates nothing', async () => {
      const headers = { 'idempotency-key': 'reuse-create-1' };
      const first = await api.post('/v1/keys', { name: 'first body', ownerId: 'reuse-owner' }, { headers });
      expect(first.status).toBe(201);
      for (const other of [
        { name: 'second body', ownerId: 'reuse-owner' },
        { name: 'first body', ownerId: 'reuse-owner', scopes: ['a'] },
      ]) {
        const reused = await api.post('/v1/keys', other, { headers });
        expect({ status: reused.status, code: reused.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
        expect(JSON.stringify(reused.body)).not.toContain(first.body.key);
      }
      expect(await keyCount(tenant.id, 'reuse-owner')).toBe(1);
    });

    it('gives each Idempotency-Key its own key', async () => {
      const body = { name: 'distinct', ownerId: 'distinct-owner' };
      const answers = await Promise.all(
        Array.from({ length: RACERS }, (_, i) => api.post('/v1/keys', body, { headers: { 'idempotency-key': `distinct-${i}` } })),
      );
      expect(statuses(answers)).toEqual({ '201': RACERS });
      expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(RACERS);
      expect(await keyCount(tenant.id, 'distinct-owner')).toBe(RACERS);
    });

    it('creates a new key for every request without an Idempotency-Key, even with one body', async () => {
      const answers = await Promise.all(
        Array.from({ length: RACERS }, () => api.post('/v1/keys', { name: 'plain', ownerId: 'plain-owner' })),
      );
      expect(statuses(answers)).toEqual({ '201': RACERS });
      expect(new Set(answers.map((answer) => answer.body.key)).size).toBe(RACERS);
      expect(await keyCount(tenant.id, 'plain-owner')).toBe(RACERS);
    });
  });

  describe('Idempotency-Key on POST /v1/keys/{id}/rotate', () => {
    it('returns the same successor and plaintext on a retry, and makes nothing more', async () => {
      const key = await createKey(admin.url, tenant.admin, { name: 'rotate-once' });
      const headers = { 'idempotency-key': 'rotate-retry-1' };
      const first = await api.post(`/v1/keys/${key.id}/rotate`, { gracePeriodSeconds: 30 }, { headers });
      expect(first.status).toBe(201);
      const retry = await api.post(`/v1/keys/${key.id}/rotate`, { gracePeriodSeconds: 30 }, { headers });
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.body.key).toBe(first.body.key);
      expect(await successorIds(key.id)).toEqual([first.body.id]);
      const rotatedEvents = await api.get(`/v1/audit-events?keyId=${key.id}&action=key.rotated`);
      expect(rotatedEvents.body.data).toHaveLength(1);
      const withoutKey = await api.post(`/v1/keys/${key.id}/rotate`, { gracePeriodSeconds: 30 });
      expect({ status: withoutKey.status, code: withoutKey.body.code }).toEqual({ status: 409, code: 'CONFLICT' });
    });

    it('answers 10 racing rotations with one Idempotency-Key with one successor, every 201 the same', async () => {
      const key = await createKey(admin.url, tenant.admin, { name: 'rotate-race-idem' });
      const headers = { 'idempotency-key': 'rotate-race-1' };
      const answers = await Promise.all(
        Array.from({ length: RACERS }, () => api.post(`/v1/keys/${key.id}/rotate`, { gracePeriodSeconds: 30 }, { headers })),
      );
      const tally = statuses(answers);
      expect(Object.keys(tally).every((label) => label === '201' || label === '409 IDEMPOTENCY_KEY_IN_USE')).toBe(true);
      const created = answers.filter((answer) => answer.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      for (const answer of created) expect(answer.body).toEqual(created[0].body);
      expect(await successorIds(key.id)).toEqual([created[0].body.id]);
    });

    it('answers 422 for the same Idempotency-Key with another grace or on another key', async () => {
      const key = await createKey(admin.url, tenant.admin, { name: 'rotate-reuse' });
      const other = await createKey(admin.url, tenant.admin, { name: 'rotate-reuse-other' });
      const headers = { 'idempotency-key': 'rotate-reuse-1' };
      expect((await api.post(`/v1/keys/${key.id}/rotate`, { gracePeriodSeconds: 30 }, { headers })).status).toBe(201);
      const otherGrace = await api.post(`/v1/keys/${key.id}/rotate`, { gracePeriodSeconds: 31 }, { headers });
      expect({ status: otherGrace.status, code: otherGrace.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      const otherKey = await api.post(`/v1/keys/${other.id}/rotate`, { gracePeriodSeconds: 30 }, { headers });
      expect({ status: otherKey.status, code: otherKey.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await successorIds(other.id)).toEqual([]);
    });
  });
});
