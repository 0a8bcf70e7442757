// The admin rate limit under Redis faults (issue 14, Faults 8), on a redis-server of this file's own
// that it kills and freezes (SIGSTOP): the limit still holds (counted in the process while Redis is
// away, docs/failure-modes.md), and a frozen Redis adds at most its 150-ms bound to one request in
// five seconds, nothing to the others.
import { randomUUID } from 'node:crypto';
import { createCredential, createTenant, type TestTenant } from './support/builders';
import { callWithin, DedicatedRedis, sleep, waitFor, type TimedAnswer } from './support/fault-servers';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';

const LIMIT = 20;
/** The longest an admin request may take while Redis is frozen (its 150-ms bound, and the request itself). */
const FROZEN_BOUND_MS = 400;

/** Waits, if need be, so that the next `seconds` fall within one minute window of the limit. */
async function withinOneWindow(seconds: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < seconds * 1_000) await sleep(left + 50);
}

describe('admin rate limit while Redis is down or frozen', () => {
  let redis: DedicatedRedis;
  let admin: RunningHttpApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    redis = await DedicatedRedis.start();
    admin = await startAdminApi({
      env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `kwfault:${randomUUID()}:`, ADMIN_RATE_LIMIT_PER_MINUTE: String(LIMIT) },
    });
    tenant = await createTenant(admin.url);
  }, 60_000);

  afterAll(async () => {
    redis.signal('SIGCONT');
    if (!redis.running) await redis.restart().catch(() => undefined);
    await admin?.close();
    await redis?.dispose();
  }, 60_000);

  /** A credential of its own, so that its count starts at zero; its requests list the tenant's keys. */
  const freshCaller = async () => {
    const { token } = await createCredential(admin.url, tenant.id, 'admin', `rate-${randomUUID().slice(0, 8)}`);
    return (): Promise<TimedAnswer> => callWithin(admin.url, 'GET', '/v1/keys', { token, deadlineMs: 10_000 });
  };
  const statuses = (answers: TimedAnswer[]) => answers.map((answer) => answer.status);

  it('counts in the process while Redis is down: the limit still holds, and the 429s say when to retry', async () => {
    const call = await freshCaller();
    await withinOneWindow(20);
    const before = [await call(), await call()];
    await redis.kill();
    const during: TimedAnswer[] = [];
    for (let i = 0; i < LIMIT + 3; i++) during.push(await call());

    expect(statuses(before)).toEqual([200, 200]);
    // The two before the outage count too: exactly LIMIT in the window.
    expect(statuses(during)).toEqual([...Array(LIMIT - 2).fill(200), ...Array(5).fill(429)]);
    const refused = during[during.length - 1];
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Math.max(...during.map((answer) => answer.ms))).toBeLessThan(FROZEN_BOUND_MS);

    await redis.restart();
  }, 60_000);

  it('adds at most its bound to one request in a few seconds while Redis is frozen, and still limits', async () => {
    const call = await freshCaller();
    // Redis answering again (after the previous test), and counting: well under the bound.
    const warm = await waitFor(call, (answer) => answer.status === 200 && answer.ms < 50, 15_000, 200);
    expect(warm.status).toBe(200);
    await withinOneWindow(20);
    const counted = [warm, await call()];

    redis.signal('SIGSTOP');
    const during: TimedAnswer[] = [];
    try {
      for (let i = 0; i < LIMIT + 3; i++) during.push(await call());
    } finally {
      redis.signal('SIGCONT');
    }
    // Before: every request waited 1 s for Redis and was then let through uncounted.
    expect(statuses(counted)).toEqual([200, 200]);
    expect(statuses(during)).toEqual([...Array(LIMIT - 2).fill(200), ...Array(5).fill(429)]);
    const slow = during.filter((answer) => answer.ms >= 140);
    expect(slow.length).toBeLessThanOrEqual(1); // the one that found Redis frozen; the rest did not ask it
    for (const answer of during) expect(answer.ms).toBeLessThan(FROZEN_BOUND_MS);

    // Redis thawed: no request the process counted is granted again in this window.
    await sleep(5_100); // past the period in which Redis is not asked
    const after = await call();
    expect(after.status).toBe(429);
  }, 60_000);
});
