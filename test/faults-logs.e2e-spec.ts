// What the services write while Redis is away (issue 14, Faults 13: multi-line non-JSON error dumps
// in the logs during a Redis outage): the admin API, verify and the worker run as processes of
// their own (so that everything they print is seen, console.error included) on a redis-server of
// this file's own, which is killed for several seconds while they are used, then started again.
// Every line must be one JSON object (pino), and what is said about the lost connection comes
// once per change of state (lost, back), not once per reconnection attempt.
import { randomUUID } from 'node:crypto';
import { createTenant, type TestTenant } from './support/builders';
import { useOwnDatabase } from './support/database';
import { callWithin, DedicatedRedis, sleep, waitFor } from './support/fault-servers';
import { spawnApp, stopSpawnedApps, type SpawnedApp } from './support/spawn-app';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

/** How long Redis stays away: many reconnection attempts (they come at most 2 s apart). */
const OUTAGE_MS = 8_000;

interface LogLine {
  level: number;
  msg?: string;
  context?: string;
  req?: unknown;
  res?: unknown;
}

/** The lines written since `offset` of a process's output; a line that is not one JSON object fails the test. */
function linesSince(app: SpawnedApp, offset: number): LogLine[] {
  const text = app.output().slice(offset);
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const notJson = lines.filter((line) => {
    try {
      const parsed = JSON.parse(line);
      return typeof parsed !== 'object' || parsed === null || typeof parsed.level !== 'number';
    } catch {
      return true;
    }
  });
  expect({ app: app.app, notJson: notJson.slice(0, 5) }).toEqual({ app: app.app, notJson: [] });
  return lines.map((line) => JSON.parse(line) as LogLine);
}

describe('logs while Redis is away', () => {
  let redis: DedicatedRedis;
  let admin: SpawnedApp;
  let verify: SpawnedApp;
  let worker: SpawnedApp;
  let tenant: TestTenant;
  let dropOwnDatabase: () => Promise<void>;

  beforeAll(async () => {
    // The worker's schedules run passes over every tenant: a database of this file's own.
    dropOwnDatabase = await useOwnDatabase();
    redis = await DedicatedRedis.start();
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `kwfault:${randomUUID()}:`,
      LOG_LEVEL: 'info',
      ROTATION_JOB_INTERVAL_SECONDS: '86400',
      EXPIRY_JOB_INTERVAL_SECONDS: '86400',
      UNUSED_AUDIT_JOB_INTERVAL_SECONDS: '86400',
      SIGNALS_JOB_INTERVAL_SECONDS: '3600',
    };
    [admin, verify, worker] = await Promise.all([
      spawnApp({ app: 'admin-api', env }),
      spawnApp({ app: 'verify', env }),
      spawnApp({ app: 'worker', env }),
    ]);
    tenant = await createTenant(admin.url);
  }, 120_000);

  afterAll(async () => {
    if (!redis?.running) await redis?.restart().catch(() => undefined);
    await stopSpawnedApps();
    await redis?.dispose();
    await dropOwnDatabase?.();
  }, 60_000);

  it('writes only JSON lines, one per change of the connection state', async () => {
    const plain = await callWithin(admin.url, 'POST', '/v1/keys', { token: tenant.admin, body: { name: 'plain' } });
    const limited = await callWithin(admin.url, 'POST', '/v1/keys', {
      token: tenant.admin,
      body: { name: 'limited', rateLimit: { limit: 1000, windowSeconds: 60 } },
    });
    expect([plain.status, limited.status]).toEqual([201, 201]);
    const use = async () => {
      await callWithin(admin.url, 'POST', '/v1/jobs/expiry/run', { token: TEST_PLATFORM_TOKEN, deadlineMs: 5_000 });
      await callWithin(admin.url, 'GET', '/v1/jobs', { token: TEST_PLATFORM_TOKEN, deadlineMs: 5_000 });
      await callWithin(admin.url, 'GET', '/v1/keys', { token: tenant.admin, deadlineMs: 5_000 });
      for (const key of [plain.body.key, limited.body.key]) {
        await callWithin(verify.url, 'POST', '/v1/verify', { token: tenant.verifier, body: { key }, deadlineMs: 5_000 });
      }
    };
    await use();
    const offsets = new Map([admin, verify, worker].map((app) => [app, app.output().length]));

    await redis.kill();
    const started = Date.now();
    while (Date.now() - started < OUTAGE_MS) {
      await use();
      await sleep(250);
    }
    await redis.restart();
    for (const app of [admin, worker]) {
      const ready = await waitFor(
        () => callWithin(app.url, 'GET', '/readyz', { deadlineMs: 3_000 }),
        (answer) => answer.body?.status === 'ready',
        20_000,
        200,
      );
      expect({ app: app.app, status: ready.body?.status }).toEqual({ app: app.app, status: 'ready' });
    }
    await use();
    await sleep(2_500); // time for the last connections to report that they are back

    for (const app of [admin, verify, worker]) {
      // Access-log lines (one per request, with req and res) aside: what the process said on its own.
      const said = linesSince(app, offsets.get(app)!).filter((line) => line.res === undefined);
      const byMessage = new Map<string, number>();
      for (const line of said) {
        const message = `${line.context ?? ''}: ${line.msg ?? ''}`;
        byMessage.set(message, (byMessage.get(message) ?? 0) + 1);
      }
      // Each thing said once when Redis went and once when it came back, not once per attempt.
      for (const [message, count] of byMessage)
        expect({ app: app.app, message, count: Math.min(count, 2) }).toEqual({ app: app.app, message, count });
      // What was said, by message, is in the failure message.
      const summary = Object.fromEntries(byMessage);
      expect({ app: app.app, summary, atMost12Lines: said.length <= 12 }).toEqual({ app: app.app, summary, atMost12Lines: true });
    }
  }, 90_000);
});
