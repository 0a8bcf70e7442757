// The verify service under faults (issue 6, Faults): Redis stopped mid-test (a dedicated
// redis-server this file starts on a free port and kills by its own PID), credits after a Redis
// loss, and PostgreSQL stopped mid-test (an embedded cluster of this file's own). No answer may be
// a 5xx other than the documented 503 problem, none may hang, and /readyz must tell the truth.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
// First: it loads the embedded PostgreSQL package through Node's own loader (see there).
import { DedicatedPostgres, DedicatedRedis, sleep, waitFor } from './support/fault-servers';
import { generateApiKey } from '../libs/keys/src/domain/key-format';
import { createCredential, createTenant, type TestTenant } from './support/builders';
import { client, type TestResponse } from './support/http-client';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';

/** Every answer must arrive within this, whatever is down. */
const ANSWER_DEADLINE_MS = 2_000;

interface TimedAnswer extends TestResponse {
  ms: number;
}

async function timed(call: () => Promise<TestResponse>): Promise<TimedAnswer> {
  const started = Date.now();
  const answer = await call();
  return { ...answer, ms: Date.now() - started };
}

/** A verify call that gives up after `deadlineMs`: a hang is then status 0, not a test time-out. */
async function verifyWithin(baseUrl: string, token: string, body: unknown, deadlineMs: number): Promise<TimedAnswer> {
  const started = Date.now();
  try {
    const response = await fetch(`${baseUrl}/v1/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(deadlineMs),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined, ms: Date.now() - started };
  } catch {
    return { status: 0, headers: new Headers(), body: undefined, ms: Date.now() - started };
  }
}

const readyz = (service: RunningHttpApp) => timed(() => client(service.url).get('/readyz'));

/** Asserts a 200 verdict that came in time, and returns its code. */
function verdict(answer: TimedAnswer): string {
  expect({ status: answer.status, inTime: answer.ms <= ANSWER_DEADLINE_MS }).toEqual({ status: 200, inTime: true });
  return answer.body.code;
}

describe('verify with Redis down', () => {
  let redis: DedicatedRedis;
  let admin: RunningHttpApp;
  let verifyDeny: RunningHttpApp;
  let verifyAllow: RunningHttpApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    redis = await DedicatedRedis.start();
    // The run's PostgreSQL as is; this file's own Redis and key prefix.
    const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `kwfault:${randomUUID()}:` };
    admin = await startAdminApi({ env });
    verifyDeny = await startVerify({ env }); // VERIFY_LIMITS_ON_REDIS_DOWN defaults to deny
    verifyAllow = await startVerify({ env: { ...env, VERIFY_LIMITS_ON_REDIS_DOWN: 'allow' } });
    tenant = await createTenant(admin.url);
  }, 60_000);

  afterAll(async () => {
    // Redis back first, so that nothing waits on it while closing.
    await redis?.restart().catch(() => undefined);
    await Promise.all([admin?.close(), verifyDeny?.close(), verifyAllow?.close()]);
    await redis?.dispose();
  }, 60_000);

  const createKey = async (body: Record<string, unknown> = {}) => {
    const created = await client(admin.url, tenant.admin).post('/v1/keys', { name: 'fault', ...body });
    expect(created.status).toBe(201);
    return created.body as { id: string; key: string };
  };
  const verify = (service: RunningHttpApp, body: Record<string, unknown>) =>
    timed(() => client(service.url, tenant.verifier).post('/v1/verify', body));
  /** Waits until both verify processes report every dependency up again (readiness stays 200 meanwhile: docs/failure-modes.md). */
  const bothReady = async () => {
    for (const service of [verifyDeny, verifyAllow]) {
      const answer = await waitFor(
        () => readyz(service),
        (probe) => probe.body?.status === 'ready',
        10_000,
      );
      expect({ status: answer.status, body: answer.body?.status }).toEqual({ status: 200, body: 'ready' });
    }
  };

  it('verifies keys without limits, applies VERIFY_LIMITS_ON_REDIS_DOWN to keys with limits, and reports degraded (still ready)', async () => {
    const plain = await createKey();
    const neverVerified = await createKey();
    const limited = await createKey({ rateLimit: { limit: 5, windowSeconds: 3600 } });
    const credited = await createKey({ remaining: 10 });
    for (const service of [verifyDeny, verifyAllow]) {
      for (const { key } of [plain, limited, credited]) expect(verdict(await verify(service, { key }))).toBe('VALID');
    }

    await redis.kill();

    // Still in the load balancer: it serves through the outage (docs/failure-modes.md).
    const down = await waitFor(
      () => readyz(verifyDeny),
      (probe) => probe.body?.checks?.redis === 'down',
      5_000,
    );
    expect(down.status).toBe(200);
    expect(down.ms).toBeLessThanOrEqual(ANSWER_DEADLINE_MS);
    expect(down.body).toMatchObject({ status: 'degraded', checks: { redis: 'down', postgres: 'up' } });

    for (const service of [verifyDeny, verifyAllow]) {
      // From the cache, or from PostgreSQL when the subscription gap flushed it: VALID either way.
      expect(verdict(await verify(service, { key: plain.key }))).toBe('VALID');
      expect(verdict(await verify(service, { key: 'kw_live_not-a-key' }))).toBe('MALFORMED');
    }
    // Never verified before: loaded from PostgreSQL, no Redis needed.
    expect(verdict(await verify(verifyDeny, { key: neverVerified.key }))).toBe('VALID');

    // deny (the default): keys with limits are turned away, and told when to come back.
    for (const { key } of [limited, credited]) {
      const denied = await verify(verifyDeny, { key });
      expect(verdict(denied)).toBe('RATE_LIMITED');
      expect(denied.body.valid).toBe(false);
      expect(Number(denied.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // allow: they pass.
    for (const { key } of [limited, credited]) expect(verdict(await verify(verifyAllow, { key }))).toBe('VALID');
    expect((await readyz(verifyAllow)).body).toMatchObject({ checks: { redis: 'down' } });

    // Redis back (empty, on the same port): ready again, and limits are counted again.
    await redis.restart();
    await bothReady();
    const ready = await readyz(verifyDeny);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { redis: 'up', postgres: 'up' } });
    const afterRestart = [];
    for (let i = 0; i < 6; i++) afterRestart.push(await verify(verifyDeny, { key: limited.key }));
    expect(afterRestart.map(verdict)).toEqual(['VALID', 'VALID', 'VALID', 'VALID', 'VALID', 'RATE_LIMITED']);
    expect(afterRestart[0].headers.get('ratelimit')).toMatch(/^"key";r=4;t=\d+$/);
    expect(afterRestart[5].headers.get('ratelimit')).toMatch(/^"key";r=0;t=\d+$/);
    expect(afterRestart[5].headers.get('ratelimit-policy')).toBe('"key";q=5;w=3600');
    expect(afterRestart[5].body.rateLimit).toMatchObject({ limit: 5, remaining: 0 });
    // Limits count on the allow process too (the window is shared in Redis).
    expect(verdict(await verify(verifyAllow, { key: limited.key }))).toBe('RATE_LIMITED');
    const credit = await verify(verifyAllow, { key: credited.key });
    expect(verdict(credit)).toBe('VALID');
    expect(typeof credit.body.remaining).toBe('number');
  }, 60_000);

  it('grants no credit twice when Redis loses the balances: they come back from PostgreSQL with the charges not yet written back', async () => {
    const { id, key } = await createKey({ remaining: 100 });
    const probe = await createKey({ remaining: 1_000_000 });
    const api = client(admin.url, tenant.admin);

    for (let i = 1; i <= 30; i++) {
      const answer = await verify(verifyDeny, { key });
      expect([verdict(answer), answer.body.remaining]).toEqual(['VALID', 100 - i]);
    }
    await sleep(1_600); // past one write-back interval (1 s)
    expect((await api.get(`/v1/keys/${id}`)).body.remaining).toBe(70);
    for (let i = 1; i <= 5; i++) {
      const answer = await verify(verifyDeny, { key });
      expect([verdict(answer), answer.body.remaining]).toEqual(['VALID', 70 - i]);
    }

    // Redis lost right after those 5 charges (nothing persisted), and back at once, empty.
    await redis.kill();
    await redis.restart();
    await bothReady();
    const working = await waitFor(
      () => verify(verifyDeny, { key: probe.key }),
      (answer) => answer.body.code === 'VALID',
      10_000,
    );
    expect(verdict(working)).toBe('VALID');

    let valid = 0;
    let last: TimedAnswer;
    for (;;) {
      last = await verify(verifyDeny, { key });
      if (verdict(last) !== 'VALID' || valid > 200) break;
      valid++;
    }
    expect(last.body.code).toBe('USAGE_EXCEEDED');
    // The 5 charged just before the loss were not written back yet: the seed writes them back first.
    // Before: the balance was re-seeded from the cached record (70 or 100), and up to 100 were granted.
    expect(valid).toBe(65);

    const stored = await waitFor(
      () => api.get(`/v1/keys/${id}`),
      (answer) => answer.body.remaining === 0,
      5_000,
    );
    expect(stored.body.remaining).toBe(0);
  }, 60_000);

  it('grants no credit twice when the balances vanish while connections stay up (FLUSHDB), also under load on two processes', async () => {
    const flushdb = async () => {
      const connection = new Redis(redis.url, { lazyConnect: true });
      await connection.connect();
      await connection.flushdb();
      await connection.quit();
    };
    // Before: the balance was re-seeded from the verify process's cached record, and this key gave 10 VALID.
    const small = await createKey({ remaining: 5 });
    for (let i = 0; i < 5; i++) expect(verdict(await verify(verifyDeny, { key: small.key }))).toBe('VALID');
    await flushdb();
    const after = [];
    for (let i = 0; i < 10; i++) after.push(verdict(await verify(verifyDeny, { key: small.key })));
    expect(after).toEqual(Array(10).fill('USAGE_EXCEEDED'));

    // Two processes spend one balance, which vanishes twice on the way. Before: 1,000,000 credits gained 390,213.
    const credits = 3_000;
    const big = await createKey({ remaining: credits });
    const services = [verifyDeny, verifyAllow];
    let valid = 0;
    let exceeded = 0;
    let flushes = 0;
    for (let round = 0; exceeded === 0 && round < 400; round++) {
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => verify(services[i % 2], { key: big.key })));
      valid += answers.filter((answer) => verdict(answer) === 'VALID').length;
      exceeded += answers.filter((answer) => verdict(answer) === 'USAGE_EXCEEDED').length;
      expect(answers.every((answer) => ['VALID', 'USAGE_EXCEEDED'].includes(verdict(answer)))).toBe(true);
      if ((flushes === 0 && valid >= 500) || (flushes === 1 && valid >= 1_000)) {
        await flushdb();
        flushes++;
        // The charges the other process had not written back reach the new balance within its
        // next write-back (1 s); only a balance spent to zero before that could be overdrawn
        // (docs/credits.md). Here the load goes on once they have.
        await sleep(1_500);
      }
    }
    expect(flushes).toBe(2);
    expect(valid).toBe(credits);
    const stored = await waitFor(
      () => client(admin.url, tenant.admin).get(`/v1/keys/${big.id}`),
      (answer) => answer.body.remaining === 0,
      5_000,
    );
    expect(stored.body.remaining).toBe(0);
  }, 90_000);

  it('answers in time when Redis stops answering without closing its connections', async () => {
    const plain = await createKey();
    const limited = await createKey({ rateLimit: { limit: 100, windowSeconds: 3600 } });
    for (const service of [verifyDeny, verifyAllow]) {
      for (const { key } of [plain, limited]) expect(verdict(await verify(service, { key }))).toBe('VALID');
    }
    redis.signal('SIGSTOP');
    try {
      const down = await readyz(verifyDeny);
      expect(down.status).toBe(200);
      expect(down.ms).toBeLessThanOrEqual(ANSWER_DEADLINE_MS);
      expect(down.body).toMatchObject({ status: 'degraded', checks: { redis: 'down', postgres: 'up' } });
      expect(verdict(await verify(verifyDeny, { key: plain.key }))).toBe('VALID');
      const denied = await verify(verifyDeny, { key: limited.key });
      expect(verdict(denied)).toBe('RATE_LIMITED');
      expect(denied.ms).toBeLessThanOrEqual(1_000); // the limiter gives Redis 250 ms
      expect(Number(denied.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const allowed = await verify(verifyAllow, { key: limited.key });
      expect(verdict(allowed)).toBe('VALID');
      expect(allowed.ms).toBeLessThanOrEqual(1_000);
    } finally {
      redis.signal('SIGCONT');
    }
    await bothReady();
    const counted = await verify(verifyDeny, { key: limited.key });
    expect(verdict(counted)).toBe('VALID');
    // Two warm-up charges and this one: the calls Redis ran only after the verify services had
    // stopped waiting (and answered without it) charged nothing.
    expect(counted.headers.get('ratelimit')).toMatch(/^"key";r=97;t=\d+$/);
  }, 60_000);
});

describe('verify with PostgreSQL down', () => {
  let postgres: DedicatedPostgres;
  let admin: RunningHttpApp;
  let verifyService: RunningHttpApp;
  let tenant: TestTenant;
  /** True once the cluster is back on the port the apps know. */
  let recovered = false;

  beforeAll(async () => {
    postgres = await DedicatedPostgres.start();
    // Under the run's Redis prefix: the run's teardown deletes these keys from the shared Redis.
    const env = { DATABASE_APP_URL: postgres.appUrl, REDIS_KEY_PREFIX: `${process.env.KEYWARD_TEST_REDIS_PREFIX}fault-${randomUUID()}:` };
    admin = await startAdminApi({ env });
    verifyService = await startVerify({ env });
    tenant = await createTenant(admin.url);
  }, 60_000);

  afterAll(async () => {
    postgres?.thaw();
    await Promise.all([admin?.close(), verifyService?.close()]);
    await postgres?.dispose();
  }, 60_000);

  const verify = (body: Record<string, unknown>) => timed(() => client(verifyService.url, tenant.verifier).post('/v1/verify', body));

  it('verifies cached keys, answers 503 for the others, and reports degraded (still ready)', async () => {
    const created = [];
    for (let i = 0; i < 2; i++) {
      const answer = await client(admin.url, tenant.admin).post('/v1/keys', { name: 'fault' });
      expect(answer.status).toBe(201);
      created.push(answer.body as { id: string; key: string });
    }
    const [warm, cold] = created;
    expect(verdict(await verify({ key: warm.key }))).toBe('VALID');

    await postgres.stop();

    // Still in the load balancer: it serves its cached keys through the outage (docs/failure-modes.md).
    const down = await waitFor(
      () => readyz(verifyService),
      (probe) => probe.body?.checks?.postgres === 'down',
      5_000,
    );
    expect(down.status).toBe(200);
    expect(down.ms).toBeLessThanOrEqual(ANSWER_DEADLINE_MS);
    expect(down.body).toMatchObject({ status: 'degraded', checks: { postgres: 'down', redis: 'up' } });

    expect(verdict(await verify({ key: warm.key }))).toBe('VALID');
    expect(verdict(await verify({ key: 'kw_live_not-a-key' }))).toBe('MALFORMED');
    const unknown = generateApiKey('kw', 'live');
    for (const key of [cold.key, unknown]) {
      const answer = await verify({ key });
      expect(answer.status).toBe(503);
      expect(answer.ms).toBeLessThanOrEqual(5_000);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(JSON.stringify(answer.body)).not.toMatch(/\bat \S+:\d+/); // no stack
    }

    // The same cluster again, on the port the apps know (unless another process took it meanwhile).
    if (!(await postgres.start())) {
      process.stdout.write(`verify-faults: port ${postgres.port} was taken while PostgreSQL was down; recovery not checked\n`);
      return;
    }
    const ready = await waitFor(
      () => readyz(verifyService),
      (probe) => probe.body?.status === 'ready',
      10_000,
    );
    expect(ready.body).toMatchObject({ status: 'ready', checks: { postgres: 'up', redis: 'up' } });
    expect(verdict(await verify({ key: cold.key }))).toBe('VALID');
    recovered = true;
  }, 60_000);

  it('answers in time when PostgreSQL stops answering without closing its connections', async () => {
    if (!recovered) {
      process.stdout.write('verify-faults: PostgreSQL did not come back on its port; the frozen case is not checked\n');
      return;
    }
    const api = client(admin.url, tenant.admin);
    const [warm, cold] = [(await api.post('/v1/keys', { name: 'warm' })).body, (await api.post('/v1/keys', { name: 'cold' })).body];
    // A verifier credential this process has never seen: authenticating it needs PostgreSQL.
    const unseen = await createCredential(admin.url, tenant.id, 'verifier');
    expect(verdict(await verify({ key: warm.key }))).toBe('VALID');

    // Every process of the cluster stopped: connections stay open and nothing answers.
    postgres.freeze();
    try {
      // Each first on its own, so that it meets an open pooled connection rather than a new one.
      const uncachedVerifier = await verifyWithin(verifyService.url, unseen.token, { key: warm.key }, 8_000);
      const uncachedKey = await verifyWithin(verifyService.url, tenant.verifier, { key: cold.key }, 8_000);
      for (const answer of [uncachedVerifier, uncachedKey]) {
        expect({ status: answer.status, code: answer.body?.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
        expect(answer.ms).toBeLessThanOrEqual(5_000);
      }
      expect(verdict(await verifyWithin(verifyService.url, tenant.verifier, { key: warm.key }, 5_000))).toBe('VALID');
      const down = await readyz(verifyService);
      expect(down.status).toBe(200);
      expect(down.ms).toBeLessThanOrEqual(ANSWER_DEADLINE_MS);
      expect(down.body).toMatchObject({ status: 'degraded', checks: { postgres: 'down', redis: 'up' } });
    } finally {
      postgres.thaw();
    }
    expect(
      (
        await waitFor(
          () => readyz(verifyService),
          (probe) => probe.body?.status === 'ready',
          10_000,
        )
      ).status,
    ).toBe(200);
    expect(verdict(await verify({ key: cold.key }))).toBe('VALID');
  }, 60_000);
});
