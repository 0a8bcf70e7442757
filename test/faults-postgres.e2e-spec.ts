// The admin API and verify under PostgreSQL faults (issue 14, Faults 7), on an embedded cluster of
// this file's own that it stops, starts again and freezes (SIGSTOP on every process of it), and a
// TCP proxy that cuts verify alone off from it:
// - the admin API answers 503 SERVICE_UNAVAILABLE with Retry-After, never 500 and never late;
// - verify keeps answering for the keys it has cached past their safety TTL (shortened here with
//   VERIFY_CACHE_TTL_MS), applies a revocation that reaches it through Redis meanwhile, and its
//   /readyz stays 200 (degraded) rather than taking it out of a load balancer.
import { randomUUID } from 'node:crypto';
import { createTenant, type TestTenant } from './support/builders';
import { callWithin, DedicatedPostgres, sleep, TcpProxy, waitFor, type TimedAnswer } from './support/fault-servers';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

/** Bound of an admin answer while PostgreSQL is stopped (connections refused at once). */
const STOPPED_BOUND_MS = 5_000;
/**
 * Bound of an admin answer while PostgreSQL is frozen: the client's own bound on a query
 * (6 s, QUERY_READ_TIMEOUT_MS), plus the time to answer.
 */
const FROZEN_BOUND_MS = 8_000;

function expectUnavailable(answer: TimedAnswer, boundMs: number): void {
  expect({ status: answer.status, code: answer.body?.code, inTime: answer.ms <= boundMs }).toEqual({
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    inTime: true,
  });
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(JSON.stringify(answer.body)).not.toMatch(/\bat \S+:\d+/); // no stack
}

/** The run's Redis, under a prefix of the run's (its teardown removes these keys). */
const prefix = () => `${process.env.KEYWARD_TEST_REDIS_PREFIX}fault-${randomUUID()}:`;

describe('admin API while its PostgreSQL is stopped or frozen', () => {
  let postgres: DedicatedPostgres;
  let admin: RunningHttpApp;
  let tenant: TestTenant;
  let recovered = false;

  beforeAll(async () => {
    postgres = await DedicatedPostgres.start();
    admin = await startAdminApi({ env: { DATABASE_APP_URL: postgres.appUrl, REDIS_KEY_PREFIX: prefix() } });
    tenant = await createTenant(admin.url);
  }, 60_000);

  afterAll(async () => {
    postgres?.thaw();
    await admin?.close();
    await postgres?.dispose();
  }, 60_000);

  /** Requests that each need PostgreSQL: as the platform operator, and with a tenant credential (whose look-up needs it too). */
  const requests = (): Array<() => Promise<TimedAnswer>> => [
    () => callWithin(admin.url, 'GET', '/v1/tenants', { token: TEST_PLATFORM_TOKEN, deadlineMs: 20_000 }),
    () =>
      callWithin(admin.url, 'POST', '/v1/tenants', {
        token: TEST_PLATFORM_TOKEN,
        body: { name: `t-${randomUUID().slice(0, 8)}` },
        deadlineMs: 20_000,
      }),
    () => callWithin(admin.url, 'GET', '/v1/keys', { token: tenant.admin, deadlineMs: 20_000 }),
    () => callWithin(admin.url, 'POST', '/v1/keys', { token: tenant.admin, body: { name: 'fault' }, deadlineMs: 20_000 }),
  ];
  const serving = () =>
    waitFor(
      () => callWithin(admin.url, 'GET', '/v1/keys', { token: tenant.admin, deadlineMs: 10_000 }),
      (answer) => answer.status === 200,
      20_000,
      200,
    );

  it('answers 503 with Retry-After, never 500, while PostgreSQL is stopped, and is not ready', async () => {
    expect((await serving()).status).toBe(200);
    await postgres.stop();

    for (const request of requests()) expectUnavailable(await request(), STOPPED_BOUND_MS);
    const readyz = await callWithin(admin.url, 'GET', '/readyz', { deadlineMs: 5_000 });
    expect(readyz).toMatchObject({ status: 503, body: { status: 'not_ready', checks: { postgres: 'down' } } });

    if (!(await postgres.start())) {
      process.stdout.write('faults-postgres: the port was taken while PostgreSQL was down; recovery not checked\n');
      return;
    }
    expect((await serving()).status).toBe(200);
    recovered = true;
  }, 60_000);

  it('answers 503 with Retry-After, never 500, in bounded time while PostgreSQL is frozen', async () => {
    if (!recovered) return;
    expect((await serving()).status).toBe(200);
    postgres.freeze();
    const answers: TimedAnswer[] = [];
    try {
      for (const request of requests()) answers.push(await request());
    } finally {
      postgres.thaw();
    }
    answers.forEach((answer) => expectUnavailable(answer, FROZEN_BOUND_MS));
    expect((await serving()).status).toBe(200);
  }, 90_000);
});

describe('verify while PostgreSQL is down: cached keys past their safety TTL', () => {
  /** The shortened safety TTL (VERIFY_CACHE_TTL_MS). */
  const TTL_MS = 1_000;
  let postgres: DedicatedPostgres;
  /** Verify's only way to PostgreSQL, which the test can cut (the admin API connects directly). */
  let proxy: TcpProxy;
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let tenant: TestTenant;
  let keys: Array<{ id: string; key: string }>;
  let recovered = false;

  beforeAll(async () => {
    postgres = await DedicatedPostgres.start();
    proxy = await TcpProxy.start(postgres.port);
    const throughProxy = new URL(postgres.appUrl);
    throughProxy.port = String(proxy.port);
    const redisPrefix = prefix();
    admin = await startAdminApi({ env: { DATABASE_APP_URL: postgres.appUrl, REDIS_KEY_PREFIX: redisPrefix } });
    verify = await startVerify({
      env: { DATABASE_APP_URL: throughProxy.toString(), REDIS_KEY_PREFIX: redisPrefix, VERIFY_CACHE_TTL_MS: String(TTL_MS) },
    });
    tenant = await createTenant(admin.url);
    keys = [];
    for (let i = 0; i < 3; i++) {
      const created = await callWithin(admin.url, 'POST', '/v1/keys', { token: tenant.admin, body: { name: `fault-${i}` } });
      expect(created.status).toBe(201);
      keys.push(created.body);
    }
  }, 60_000);

  afterAll(async () => {
    postgres?.thaw();
    proxy?.restore();
    await Promise.all([admin?.close(), verify?.close()]);
    await proxy?.close();
    await postgres?.dispose();
  }, 60_000);

  const verifyKey = (key: string, deadlineMs = 10_000) =>
    callWithin(verify.url, 'POST', '/v1/verify', { token: tenant.verifier, body: { key }, deadlineMs });
  const code = (answer: TimedAnswer) => (answer.status === 200 ? answer.body.code : `${answer.status} ${answer.body?.code ?? ''}`.trim());

  it('keeps answering VALID for cached keys past their TTL while PostgreSQL is stopped, and stays in the load balancer', async () => {
    const [warm, , cold] = keys;
    expect(code(await verifyKey(warm.key))).toBe('VALID');
    await postgres.stop();

    await sleep(TTL_MS + 500);
    // Well past the TTL, for 3 s: the key and the verifier credential are both served from the cache.
    const started = Date.now();
    while (Date.now() - started < 3_000) {
      const answer = await verifyKey(warm.key);
      expect({ code: code(answer), fast: answer.ms <= 1_000 }).toEqual({ code: 'VALID', fast: true });
      await sleep(300);
    }
    // A key never cached cannot be answered: 503, promptly, with Retry-After.
    const uncached = await verifyKey(cold.key);
    expect({ code: code(uncached), fast: uncached.ms <= 5_000 }).toEqual({ code: '503 SERVICE_UNAVAILABLE', fast: true });
    expect(Number(uncached.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const readyz = await callWithin(verify.url, 'GET', '/readyz', { deadlineMs: 5_000 });
    expect(readyz).toMatchObject({ status: 200, body: { status: 'degraded', checks: { postgres: 'down', redis: 'up', process: 'up' } } });

    if (!(await postgres.start())) {
      process.stdout.write('faults-postgres: the port was taken while PostgreSQL was down; recovery not checked\n');
      return;
    }
    const back = await waitFor(
      () => verifyKey(cold.key),
      (answer) => code(answer) === 'VALID',
      20_000,
      200,
    );
    expect(code(back)).toBe('VALID');
    const ready = await waitFor(
      () => callWithin(verify.url, 'GET', '/readyz', { deadlineMs: 5_000 }),
      (answer) => answer.body?.status === 'ready',
      10_000,
      200,
    );
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', checks: { postgres: 'up' } } });
    recovered = true;
  }, 60_000);

  it('applies a revocation that reaches it through Redis while it cannot reach PostgreSQL', async () => {
    if (!recovered) return;
    const [revoked, kept] = keys;
    for (const { key } of [revoked, kept]) expect(code(await verifyKey(key))).toBe('VALID');

    proxy.cut(); // verify alone loses PostgreSQL; the admin API still has it
    await sleep(TTL_MS + 500);
    for (const { key } of [revoked, kept]) expect(code(await verifyKey(key))).toBe('VALID');

    const revocation = await callWithin(admin.url, 'POST', `/v1/keys/${revoked.id}/revoke`, { token: tenant.admin, body: {} });
    expect(revocation.status).toBe(200);
    // The invalidation drops the record: it is never VALID again, and without PostgreSQL it cannot be answered.
    const dropped = await waitFor(
      () => verifyKey(revoked.key),
      (answer) => code(answer) !== 'VALID',
      2_000,
      50,
    );
    expect(code(dropped)).toBe('503 SERVICE_UNAVAILABLE');
    expect(code(await verifyKey(kept.key))).toBe('VALID');

    proxy.restore();
    const afterwards = await waitFor(
      () => verifyKey(revoked.key),
      (answer) => answer.status === 200,
      20_000,
      200,
    );
    expect(code(afterwards)).toBe('REVOKED');
    expect(code(await verifyKey(kept.key))).toBe('VALID');
  }, 60_000);

  it('answers cached keys past their TTL in time while PostgreSQL is frozen', async () => {
    if (!recovered) return;
    const [, kept] = keys;
    expect(code(await verifyKey(kept.key))).toBe('VALID');
    await sleep(TTL_MS + 500);
    postgres.freeze();
    const answers: TimedAnswer[] = [];
    try {
      // The first waits for PostgreSQL (at most the 2-s look-up bound) before the cached record answers; the next not at all.
      for (let i = 0; i < 6; i++) answers.push(await verifyKey(kept.key));
    } finally {
      postgres.thaw();
    }
    expect(answers.map(code)).toEqual(Array(6).fill('VALID'));
    expect(answers[0].ms).toBeLessThanOrEqual(3_000);
    for (const answer of answers.slice(1)) expect(answer.ms).toBeLessThanOrEqual(500);
  }, 60_000);
});
