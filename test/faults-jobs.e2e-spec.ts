// The job endpoints and the worker's schedules under Redis faults (issue 14, Faults 5 and 6), on a
// redis-server of this file's own that it kills, freezes (SIGSTOP) and empties (FLUSHALL):
// - the job endpoints answer 503 in time whatever Redis does, and a run the client was told failed
//   never happens later;
// - after Redis loses its data the worker puts its schedules back (on reconnection, and by its
//   periodic check), and its /readyz says not ready while they are missing.
import { bullQueuePrefix, MANUAL_RUN_PARK_MS, RUN_JOB, SCHEDULED_JOBS, WEBHOOK_DELIVERY_QUEUE } from '@keyward/jobs';
import { redisOptionsFromUrl } from '@keyward/platform';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { useOwnDatabase } from './support/database';
import { callWithin, DedicatedRedis, sleep, waitFor, type TimedAnswer } from './support/fault-servers';
import { startAdminApi, startWorker, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

/** Every job endpoint answers within this while Redis is down or frozen. */
const ANSWER_BOUND_MS = 3_000;
/** How long a call may take before the test counts it as a hang. */
const HANG_MS = 15_000;

const ALL_QUEUES = [...SCHEDULED_JOBS, WEBHOOK_DELIVERY_QUEUE, 'housekeeping'];
/**
 * Every job scheduler the worker keeps: one per scheduled job, webhook delivery passes, and the
 * housekeeping ones (the retention pass, audit checkpoints, the audit and principal signing keys'
 * rotation checks).
 */
const SCHEDULERS = SCHEDULED_JOBS.length + 5;

function expectUnavailable(answer: TimedAnswer): void {
  expect({ status: answer.status, code: answer.body?.code, inTime: answer.ms <= ANSWER_BOUND_MS }).toEqual({
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    inTime: true,
  });
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
}

/** Reads the queues of a prefix on a Redis directly, as BullMQ itself sees them. */
function queuesOn(redisUrl: string, prefix: string): Record<string, Queue> {
  return Object.fromEntries(
    ALL_QUEUES.map((name) => [
      name,
      new Queue(name, { connection: { ...redisOptionsFromUrl(redisUrl), maxRetriesPerRequest: 1 }, prefix: bullQueuePrefix(prefix) }),
    ]),
  );
}

async function jobIdsIn(queue: Queue): Promise<string[]> {
  const jobs = await queue.getJobs(['wait', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'paused']);
  return jobs.map((job) => job.id!).sort();
}

describe('job endpoints while Redis is down or frozen', () => {
  let redis: DedicatedRedis;
  let admin: RunningHttpApp;
  let queues: Record<string, Queue>;
  const prefix = `kwfault:${randomUUID()}:`;

  beforeAll(async () => {
    redis = await DedicatedRedis.start();
    // No worker: every run the admin API enqueues stays in its queue, to be counted.
    admin = await startAdminApi({ env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix } });
    queues = queuesOn(redis.url, prefix);
    for (const queue of Object.values(queues)) queue.on('error', () => undefined);
  }, 60_000);

  afterAll(async () => {
    if (!redis.running) await redis.restart().catch(() => undefined);
    redis.signal('SIGCONT');
    await Promise.all(Object.values(queues ?? {}).map((queue) => queue.close().catch(() => undefined)));
    await admin?.close();
    await redis?.dispose();
  }, 60_000);

  const call = (method: string, path: string) => callWithin(admin.url, method, path, { token: TEST_PLATFORM_TOKEN, deadlineMs: HANG_MS });
  const runNow = () => call('POST', '/v1/jobs/expiry/run');
  /** Waits until run-now works again, and returns the id of that run. */
  const runOnceBack = async (): Promise<string> => {
    const back = await waitFor(runNow, (answer) => answer.status === 202, 20_000, 200);
    expect(back.status).toBe(202);
    return back.body.jobId;
  };

  it('answers 503 at once while Redis is down, and nothing it refused runs once Redis is back', async () => {
    const before = await runNow();
    expect(before.status).toBe(202);
    expect(await call('GET', `/v1/jobs/${before.body.jobId}`)).toMatchObject({ status: 200, body: { state: 'waiting' } });

    await redis.kill();
    const refused = [
      await runNow(),
      await runNow(),
      await runNow(),
      await call('GET', '/v1/jobs'),
      await call('GET', `/v1/jobs/${before.body.jobId}`),
    ];
    refused.forEach(expectUnavailable);
    // The admin API serves everything else without Redis: it stays in the load balancer (docs/failure-modes.md).
    const readyz = await waitFor(
      () => call('GET', '/readyz'),
      (answer) => answer.body?.checks?.redis === 'down',
      5_000,
    );
    expect(readyz).toMatchObject({ status: 200, body: { status: 'degraded', checks: { redis: 'down', postgres: 'up' } } });

    // Back, empty (no persistence): the runs refused while it was away must not turn up.
    await redis.restart();
    const after = await runOnceBack();
    await sleep(1_000); // time for anything still held somewhere to land
    expect(await jobIdsIn(queues.expiry)).toEqual([after]);
    expect(await call('GET', '/v1/jobs')).toMatchObject({ status: 200 });
  }, 60_000);

  it('answers 503 in time while Redis is frozen, and after it thaws exactly the runs answered 202 exist', async () => {
    const accepted = [(await runNow()).body.jobId as string];
    expect(accepted[0]).toMatch(/^expiry_/);

    redis.signal('SIGSTOP');
    let refused: TimedAnswer[];
    try {
      refused = [
        await runNow(),
        await runNow(),
        await runNow(),
        await call('GET', '/v1/jobs'),
        await call('GET', `/v1/jobs/${accepted[0]}`),
      ];
    } finally {
      redis.signal('SIGCONT');
    }
    refused.forEach(expectUnavailable);

    accepted.push(await runOnceBack());
    await sleep(1_000);
    // The first test's run, the one before the freeze and the one after it: none of the three refused.
    const ids = await jobIdsIn(queues.expiry);
    expect(ids.filter((id) => !accepted.includes(id))).toHaveLength(1);
    expect(ids.filter((id) => accepted.includes(id)).sort()).toEqual([...accepted].sort());
    const job = await call('GET', `/v1/jobs/${accepted[1]}`);
    expect(job).toMatchObject({ status: 200, body: { jobId: accepted[1], state: 'waiting' } });
  }, 60_000);
});

describe('job endpoints of an admin API started while Redis is down', () => {
  let redis: DedicatedRedis;
  let admin: RunningHttpApp;
  let queues: Record<string, Queue>;
  const prefix = `kwfault:${randomUUID()}:`;

  beforeAll(async () => {
    redis = await DedicatedRedis.start();
    await redis.kill();
    admin = await startAdminApi({ env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix } });
  }, 60_000);

  afterAll(async () => {
    if (!redis.running) await redis.restart().catch(() => undefined);
    await Promise.all(Object.values(queues ?? {}).map((queue) => queue.close().catch(() => undefined)));
    await admin?.close();
    await redis?.dispose();
  }, 60_000);

  it('answers 503 until Redis comes, and never runs what it refused', async () => {
    const call = (method: string, path: string) => callWithin(admin.url, method, path, { token: TEST_PLATFORM_TOKEN, deadlineMs: HANG_MS });
    const refused = [
      await call('POST', '/v1/jobs/rotation/run'),
      await call('POST', '/v1/jobs/rotation/run'),
      await call('GET', '/v1/jobs'),
    ];
    refused.forEach(expectUnavailable);

    await redis.restart();
    queues = queuesOn(redis.url, prefix);
    const back = await waitFor(
      () => call('POST', '/v1/jobs/rotation/run'),
      (answer) => answer.status === 202,
      20_000,
      200,
    );
    expect(back.status).toBe(202);
    await sleep(1_000);
    expect(await jobIdsIn(queues.rotation)).toEqual([back.body.jobId]);
  }, 60_000);
});

describe('worker schedules after Redis loses its data', () => {
  let redis: DedicatedRedis;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let queues: Record<string, Queue>;
  let dropOwnDatabase: () => Promise<void>;
  const prefix = `kwfault:${randomUUID()}:`;
  /** How often the worker checks its schedules in this file (JOB_SCHEDULE_CHECK_SECONDS; 30 by default). */
  const CHECK_SECONDS = 2;

  beforeAll(async () => {
    // The runs the schedules start touch every tenant: a database of this file's own.
    dropOwnDatabase = await useOwnDatabase();
    redis = await DedicatedRedis.start();
    worker = await startWorker({
      env: {
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: prefix,
        JOB_SCHEDULE_CHECK_SECONDS: String(CHECK_SECONDS),
        ROTATION_JOB_INTERVAL_SECONDS: '86400',
        EXPIRY_JOB_INTERVAL_SECONDS: '86400',
        UNUSED_AUDIT_JOB_INTERVAL_SECONDS: '86400',
        SIGNALS_JOB_INTERVAL_SECONDS: '3600',
      },
    });
    queues = queuesOn(redis.url, prefix);
    for (const queue of Object.values(queues)) queue.on('error', () => undefined);
  }, 60_000);

  afterAll(async () => {
    if (!redis.running) await redis.restart().catch(() => undefined);
    await Promise.all(Object.values(queues ?? {}).map((queue) => queue.close().catch(() => undefined)));
    await worker?.close();
    await redis?.dispose();
    await dropOwnDatabase?.();
  }, 60_000);

  const readyz = () => callWithin(worker.url, 'GET', '/readyz', { deadlineMs: 5_000 });
  const schedulerCount = async (): Promise<number> => {
    const counts = await Promise.all(Object.values(queues).map((queue) => queue.getJobSchedulersCount()));
    return counts.reduce((sum, count) => sum + count, 0);
  };
  /** Completed webhook delivery passes (one a second while their schedule exists). */
  const deliveryPasses = async (): Promise<number> => (await queues[WEBHOOK_DELIVERY_QUEUE].getJobCounts('completed')).completed;

  it('has every schedule and is ready', async () => {
    expect(await waitFor(schedulerCount, (count) => count === SCHEDULERS, 10_000)).toBe(SCHEDULERS);
    expect(await readyz()).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { redis: 'up', postgres: 'up', schedules: 'up' } },
    });
    const runs = await queues.expiry.getJobs(['completed', 'active', 'wait']);
    expect(runs.some((job) => job.name === RUN_JOB)).toBe(true);
  });

  it('refuses a manual run whose parking ran out (its request was answered 503, and its removal lost)', async () => {
    // As such a run would reach the worker: a year after it was added, never released.
    const jobId = `expiry_${randomUUID()}`;
    await queues.expiry.add(RUN_JOB, { trigger: 'manual' }, { jobId, timestamp: Date.now() - MANUAL_RUN_PARK_MS - 1_000 });
    const state = await waitFor(
      async () => (await queues.expiry.getJob(jobId))?.getState(),
      (value) => value === 'failed' || value === 'completed',
      10_000,
      100,
    );
    expect(state).toBe('failed');
    const job = (await queues.expiry.getJob(jobId))!;
    expect({ reason: job.failedReason, result: job.returnvalue ?? null, attempts: job.attemptsMade }).toEqual({
      reason: expect.stringMatching(/^Refused: /),
      result: null,
      attempts: 1,
    });
  });

  it('puts the schedules back after FLUSHALL, reporting not ready until it has', async () => {
    expect(await redis.command('FLUSHALL')).toBe('+OK');
    expect(await schedulerCount()).toBe(0);
    const dipped = await readyz();
    expect(dipped).toMatchObject({ status: 503, body: { status: 'not_ready', checks: { redis: 'up', schedules: 'down' } } });

    const ready = await waitFor(readyz, (answer) => answer.status === 200, 10_000, 100);
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', checks: { schedules: 'up' } } });
    expect(await schedulerCount()).toBe(SCHEDULERS);
    // And they run: webhook delivery passes come again, one a second.
    expect(await waitFor(deliveryPasses, (passes) => passes >= 2, 10_000, 200)).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('puts them back by its periodic check when nothing asks for its readiness', async () => {
    expect(await redis.command('FLUSHALL')).toBe('+OK');
    expect(await schedulerCount()).toBe(0);
    const restored = await waitFor(schedulerCount, (count) => count === SCHEDULERS, (CHECK_SECONDS + 3) * 1_000, 200);
    expect(restored).toBe(SCHEDULERS);
    expect(await waitFor(deliveryPasses, (passes) => passes >= 2, 10_000, 200)).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('puts them back when Redis restarts empty, and is not ready while Redis is away', async () => {
    await redis.kill();
    const down = await waitFor(readyz, (answer) => answer.status === 503, 5_000);
    expect(down).toMatchObject({ status: 503, body: { status: 'not_ready', checks: { redis: 'down' } } });

    await redis.restart();
    const restored = await waitFor(schedulerCount, (count) => count === SCHEDULERS, 10_000, 100);
    expect(restored).toBe(SCHEDULERS);
    expect((await waitFor(readyz, (answer) => answer.status === 200, 10_000, 100)).body).toMatchObject({
      status: 'ready',
      checks: { redis: 'up', schedules: 'up' },
    });
    expect(await waitFor(deliveryPasses, (passes) => passes >= 2, 10_000, 200)).toBeGreaterThanOrEqual(2);
  }, 40_000);
});
