// Several admin API PROCESSES on one PostgreSQL and Redis answer as one (issue 8): an idempotent
// create retried on both makes one key, the admin rate limit counts a credential's requests on
// all of them together, and a change made on either is in force on a verify process within a
// second. They keep no state of their own: idempotency records are in PostgreSQL, rate-limit
// counters and invalidations in Redis.
import { randomBytes } from 'node:crypto';
import { createTenant, type TestTenant } from './support/builders';
import { client } from './support/http-client';
import { spawnApp, stopSpawnedApps, type SpawnedApp } from './support/spawn-app';
import { withOutputOf } from './support/scale-scenarios';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RATE_LIMIT = 40;

describe('two admin API processes', () => {
  let adminA: SpawnedApp;
  let adminB: SpawnedApp;
  let verify: SpawnedApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    // A Redis prefix of the suite's own, shared by its three processes: the rate-limit counters of
    // the run's platform token, which every suite uses, must not count here.
    const prefix = `${process.env.KEYWARD_TEST_REDIS_PREFIX}admin-processes-${randomBytes(3).toString('hex')}:`;
    const env = { ADMIN_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT), REDIS_KEY_PREFIX: prefix };
    const started = await Promise.allSettled([
      spawnApp({ app: 'admin-api', env }).then((app) => (adminA = app)),
      spawnApp({ app: 'admin-api', env }).then((app) => (adminB = app)),
      spawnApp({ app: 'verify', env: { REDIS_KEY_PREFIX: prefix } }).then((app) => (verify = app)),
    ]);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    tenant = await createTenant(adminA.url);
  }, 60_000);

  afterAll(() => stopSpawnedApps(), 30_000);

  const onBoth = () => [client(adminA.url, tenant.admin), client(adminB.url, tenant.admin)];

  it('makes one key of a create retried on both at once with one Idempotency-Key, and answers every retry with it', () =>
    withOutputOf([adminA, adminB], async () => {
      const [a, b] = onBoth();
      const headers = { 'idempotency-key': `both-${Date.now()}` };
      const body = { name: 'retried-everywhere', ownerId: 'svc-both' };
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? b : a).post('/v1/keys', body, { headers })));

      expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201, 201]);
      expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
      expect(new Set(answers.map((answer) => answer.body.key)).size).toBe(1);
      const listed = await b.get('/v1/keys?ownerId=svc-both');
      expect(listed.body.data.map((key: { id: string }) => key.id)).toEqual([answers[0].body.id]);
      // The same record through either process.
      const [onA, onB] = await Promise.all([a.get(`/v1/keys/${answers[0].body.id}`), b.get(`/v1/keys/${answers[0].body.id}`)]);
      expect(onA.body).toEqual(onB.body);
    }));

  it(
    'counts a credential against one rate limit across both processes',
    () =>
      withOutputOf([adminA, adminB], async () => {
        // A fresh credential, and a minute with room for the whole burst: the limit's window is the minute.
        const fresh = await client(adminA.url, tenant.admin).post(`/v1/credentials`, { name: 'burst', role: 'auditor' });
        expect(fresh.status).toBe(201);
        if (new Date().getSeconds() > 50) await sleep((61 - new Date().getSeconds()) * 1000);
        const [a, b] = [client(adminA.url, fresh.body.token), client(adminB.url, fresh.body.token)];

        const statuses: number[] = [];
        for (let i = 0; i < RATE_LIMIT; i++) statuses.push((await (i % 2 ? b : a).get('/v1/audit-events?limit=1')).status);
        const [overOnA, overOnB] = await Promise.all([a.get('/v1/audit-events?limit=1'), b.get('/v1/audit-events?limit=1')]);

        expect(statuses.filter((status) => status !== 200)).toEqual([]);
        expect([overOnA.status, overOnB.status]).toEqual([429, 429]);
        expect(overOnA.body.code).toBe('RATE_LIMITED');
      }),
    30_000,
  );

  it('puts a revoke made on either process in force on verify within a second', () =>
    withOutputOf([adminA, adminB, verify], async () => {
      const [a, b] = onBoth();
      const verifyKey = (key: string) => client(verify.url, tenant.verifier).post('/v1/verify', { key });
      for (const [maker, revoker] of [
        [a, b],
        [b, a],
      ]) {
        const created = await maker.post('/v1/keys', { name: 'revoked-elsewhere' });
        expect(created.status).toBe(201);
        expect((await verifyKey(created.body.key)).body.code).toBe('VALID'); // cached on verify
        expect((await revoker.post(`/v1/keys/${created.body.id}/revoke`, {})).status).toBe(200);
        const revokedAt = Date.now();
        let code = '';
        while (Date.now() - revokedAt < 1_000 && code !== 'REVOKED') code = (await verifyKey(created.body.key)).body.code;
        expect(code).toBe('REVOKED');
      }
    }));
});
