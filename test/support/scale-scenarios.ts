// The scenarios that must hold however Keyward is deployed (issue 8: several processes, Redis
// Cluster, PgBouncer): exact limits and credits across two verify processes, changes in force on
// both within a second, and workers whose runs are idempotent and whose schedules run each period
// once. Each takes the running deployment (URLs, the environment its workers get) and knows
// nothing of how its PostgreSQL or Redis are set up, so every suite runs the same assertions.
import { bullQueuePrefix, BullConnection } from '@keyward/jobs';
import { Queue } from 'bullmq';
import { createTenant, type TestTenant } from './builders';
import { sql } from './database';
import { client, type TestResponse } from './http-client';
import { runJob, startJobRun } from './jobs';
import { createKey, inBatches } from './key-builders';
import { spawnApp, type SpawnedApp } from './spawn-app';
import { TEST_PLATFORM_TOKEN, testConfig } from './test-config';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work`; when it fails, adds the processes' latest output, which is what one needs when a spawned service misbehaves. */
export async function withOutputOf(processes: Array<SpawnedApp | undefined>, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    for (const spawned of processes) {
      if (spawned?.output())
        (error as Error).message += `\n--- ${spawned.app} ${spawned.pid} output ---\n${spawned.output().slice(-4_000)}`;
    }
    throw error;
  }
}

/** An admin API and two verify processes on one database and one Redis (and Redis prefix). */
export interface VerifyFleet {
  adminUrl: string;
  verifiers: readonly [{ url: string }, { url: string }];
}

export const verifyOn = (service: { url: string }, token: string, body: Record<string, unknown>) =>
  client(service.url, token).post('/v1/verify', body);

/** How many answers of a burst had each code, and the answers that were not 200. */
export const tally = (answers: TestResponse[]) => ({
  notOk: answers.filter((answer) => answer.status !== 200).map((answer) => [answer.status, answer.body]),
  codes: answers.reduce<Record<string, number>>(
    (codes, answer) => ({ ...codes, [answer.body.code]: (codes[answer.body.code] ?? 0) + 1 }),
    {},
  ),
});

/** The key's `remaining` on the admin API once it equals `expected`, or after 3 s whatever it is then. */
export async function storedRemaining(adminUrl: string, adminToken: string, id: string, expected: number): Promise<number> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const stored = await client(adminUrl, adminToken).get(`/v1/keys/${id}`);
    if (stored.body.remaining === expected || Date.now() > deadline) return stored.body.remaining as number;
    await sleep(100);
  }
}

/** 300 verifies of a key limited to 50 per window, spread over both processes: exactly 50 VALID. */
export async function limitIsExactAcrossProcesses(fleet: VerifyFleet): Promise<void> {
  const tenant = await createTenant(fleet.adminUrl);
  const { key } = await createKey(fleet.adminUrl, tenant.admin, { rateLimit: { limit: 50, windowSeconds: 3600 } }); // an hour: the burst cannot straddle two windows
  const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => verifyOn(fleet.verifiers[i % 2], tenant.verifier, { key })));

  // Each process got 150 requests, three times the limit: counted apart, up to 100 would pass.
  expect(tally(answers)).toEqual({ notOk: [], codes: { VALID: 50, RATE_LIMITED: 250 } });
  const limited = answers.find((answer) => answer.body.code === 'RATE_LIMITED')!;
  expect(limited.headers.get('ratelimit-policy')).toBe('"key";q=50;w=3600');
  expect(limited.headers.get('ratelimit')).toMatch(/^"key";r=0;t=\d+$/);
}

/** 200 verifies of a key with 40 credits over both processes: 40 VALID, never below zero, the balance written back. */
export async function creditsAreExactAcrossProcesses(fleet: VerifyFleet): Promise<void> {
  const tenant = await createTenant(fleet.adminUrl);
  const { id, key } = await createKey(fleet.adminUrl, tenant.admin, { remaining: 40 });
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => verifyOn(fleet.verifiers[i % 2], tenant.verifier, { key })));

  expect(tally(answers)).toEqual({ notOk: [], codes: { VALID: 40, USAGE_EXCEEDED: 160 } });
  expect(Math.min(...answers.map((answer) => answer.body.remaining))).toBe(0);
  expect(await storedRemaining(fleet.adminUrl, tenant.admin, id, 0)).toBe(0);
}

/** Revoke, disable, a patch of scopes and tenant suspension are in force on both processes within a second. */
export async function changesReachEveryProcessWithinASecond(fleet: VerifyFleet): Promise<void> {
  const own: TestTenant = await createTenant(fleet.adminUrl);
  const { id, key } = await createKey(fleet.adminUrl, own.admin, { scopes: ['a'] });
  const api = client(fleet.adminUrl, own.admin);
  const platform = client(fleet.adminUrl, TEST_PLATFORM_TOKEN);
  /** After `change` has answered, polls both processes at once until each answers `code`: the time each took. */
  const inForce = async (change: () => Promise<{ status: number }>, code: string, body: Record<string, unknown> = { key }) => {
    const changed = await change();
    expect(changed.status).toBeLessThan(300);
    const since = Date.now();
    const lags = await Promise.all(
      fleet.verifiers.map(async (service) => {
        for (;;) {
          const answer = await verifyOn(service, own.verifier, body);
          if (answer.body.code === code) return Date.now() - since;
          if (Date.now() - since > 1_000) return Infinity;
          await sleep(10);
        }
      }),
    );
    expect({ code, lagsOverOneSecond: lags.filter((lag) => lag > 1_000) }).toEqual({ code, lagsOverOneSecond: [] });
  };
  const warm = async () => {
    for (const service of fleet.verifiers) expect((await verifyOn(service, own.verifier, { key, scopes: ['a'] })).body.code).toBe('VALID');
  };

  await warm();
  await inForce(() => api.patch(`/v1/keys/${id}`, { enabled: false }), 'DISABLED');
  await inForce(() => api.patch(`/v1/keys/${id}`, { enabled: true }), 'VALID', { key, scopes: ['a'] });
  await inForce(() => api.patch(`/v1/keys/${id}`, { scopes: ['b'] }), 'INSUFFICIENT_SCOPE', { key, scopes: ['a'] });
  await inForce(() => api.patch(`/v1/keys/${id}`, { scopes: ['a'] }), 'VALID', { key, scopes: ['a'] });
  await inForce(() => platform.post(`/v1/tenants/${own.id}/suspend`), 'DISABLED');
  await inForce(() => platform.post(`/v1/tenants/${own.id}/resume`), 'VALID');
  await warm();
  await inForce(() => api.post(`/v1/keys/${id}/revoke`, {}), 'REVOKED');
}

/**
 * An admin API and what its worker processes get over the test environment (support/test-config.ts):
 * at least a REDIS_KEY_PREFIX of the suite's own, so that no other suite's worker takes its runs,
 * and whatever the deployment under test needs (REDIS_URL, DATABASE_APP_URL...). The admin API
 * must run with the same prefix for the killed-run scenario (its run-now must reach the workers).
 * The suite needs a database of its own (support/database.ts useOwnDatabase): a rotation run
 * rotates every due key of its database, other suites' keys and runs included.
 */
export interface WorkerFleet {
  adminUrl: string;
  env: Record<string, string>;
}

/**
 * Runs `scenario` with a starter of worker processes (with `env`), adds their output to a failure,
 * and stops them at the end: a worker left running would go on taking the database's due keys.
 */
async function withWorkers(
  env: Record<string, string>,
  scenario: (startWorker: () => Promise<SpawnedApp>) => Promise<void>,
): Promise<void> {
  const started: SpawnedApp[] = [];
  const startWorker = async () => {
    const worker = await spawnApp({ app: 'worker', env });
    started.push(worker);
    return worker;
  };
  try {
    await withOutputOf(started, () => scenario(startWorker));
  } finally {
    await Promise.all(started.map((worker) => worker.stop()));
  }
}

/** Runs come from the scenario only (after the schedulers' first runs, which find nothing). */
const ON_DEMAND = {
  ROTATION_JOB_INTERVAL_SECONDS: '86400',
  EXPIRY_JOB_INTERVAL_SECONDS: '86400',
  UNUSED_AUDIT_JOB_INTERVAL_SECONDS: '86400',
  SIGNALS_JOB_INTERVAL_SECONDS: '3600',
};
/** Hourly, with an hour's grace: a key made now falls due only when a test says so (makeRotationDue). */
export const ROTATION = { intervalSeconds: 3600, gracePeriodSeconds: 3600 };

/** Every key's rotation state, one row per key of `ids`: what a rotation writes, counted. */
interface RotationState {
  id: string;
  expires_at_set: boolean;
  successors: number;
  escrows: number;
  rotated_events: number;
  successor_created_events: number;
  webhooks: number;
}

async function rotationStates(ids: string[]): Promise<RotationState[]> {
  return sql<RotationState>(
    'owner',
    `SELECT k.id,
            k.expires_at IS NOT NULL AS expires_at_set,
            (SELECT count(*) FROM api_keys s WHERE s.previous_key_id = k.id)::int AS successors,
            (SELECT count(*) FROM key_escrows e JOIN api_keys s ON s.id = e.key_id WHERE s.previous_key_id = k.id)::int AS escrows,
            (SELECT count(*) FROM audit_events a
              WHERE a.tenant_id = k.tenant_id AND a.action = 'key.rotated' AND a.target_id = k.id::text)::int AS rotated_events,
            (SELECT count(*) FROM audit_events a JOIN api_keys s ON a.target_id = s.id::text
              WHERE a.tenant_id = k.tenant_id AND s.previous_key_id = k.id AND a.action = 'key.created')::int AS successor_created_events,
            (SELECT count(*) FROM webhook_deliveries w
              WHERE w.tenant_id = k.tenant_id AND w.event_type = 'key.rotated' AND (w.body::jsonb -> 'data' ->> 'keyId') = k.id::text)::int AS webhooks
       FROM api_keys k
      WHERE k.id = ANY($1::uuid[])`,
    [ids],
  );
}

const ROTATED: Omit<RotationState, 'id'> = {
  expires_at_set: true,
  successors: 1,
  escrows: 1,
  rotated_events: 1,
  successor_created_events: 1,
  webhooks: 1,
};
const UNTOUCHED: Omit<RotationState, 'id'> = {
  expires_at_set: false,
  successors: 0,
  escrows: 0,
  rotated_events: 0,
  successor_created_events: 0,
  webhooks: 0,
};

/** How many keys are in each shape: only ROTATED and UNTOUCHED may appear. */
function shapes(states: RotationState[]): Map<string, number> {
  const counted = new Map<string, number>();
  for (const { id: _id, ...shape } of states) {
    const name =
      JSON.stringify(shape) === JSON.stringify(ROTATED)
        ? 'rotated'
        : JSON.stringify(shape) === JSON.stringify(UNTOUCHED)
          ? 'untouched'
          : JSON.stringify(shape);
    counted.set(name, (counted.get(name) ?? 0) + 1);
  }
  return counted;
}

/** The most successors any key of `ids` has (a key rotated twice has two). */
const mostSuccessorsOfOneKey = async (ids: string[]): Promise<number> =>
  Number(
    (
      await sql<{ most: string | null }>(
        'owner',
        'SELECT max(n) AS most FROM (SELECT count(*) AS n FROM api_keys WHERE previous_key_id = ANY($1::uuid[]) GROUP BY previous_key_id) c',
        [ids],
      )
    )[0].most ?? 0,
  );

/** The number of a worker's completed runs of a job, from its /metrics. */
async function completedRuns(worker: SpawnedApp, job: string): Promise<number> {
  const text = await (await fetch(`${worker.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((each) => each.startsWith('keyward_job_runs_total{') && each.includes(`job="${job}"`) && each.includes('outcome="completed"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** A tenant that subscribes to key.rotated (deliveries are part of what a rotation writes), with `count` keys on a rotation schedule. */
async function tenantWithRotatingKeys(
  adminUrl: string,
  count: number,
  width: number,
  name: string,
): Promise<{ tenant: TestTenant; keys: Array<{ id: string }> }> {
  const tenant = await createTenant(adminUrl);
  expect(
    (await client(adminUrl, tenant.admin).post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['key.rotated'] })).status,
  ).toBe(201);
  const keys = await inBatches(count, width, (index) =>
    createKey(adminUrl, tenant.admin, { name: `${name}-${index}`, ownerId: `svc-${index % 7}`, rotation: ROTATION }),
  );
  return { tenant, keys };
}

/** Makes keys on an hourly rotation schedule due now: made an hour ago, as far as the schedule is concerned. */
export const makeRotationDue = (ids: string[]) =>
  sql('owner', `UPDATE api_keys SET created_at = now() - interval '3601 seconds' WHERE id = ANY($1::uuid[])`, [ids]);

/**
 * A worker killed with SIGKILL in the middle of a rotation run leaves every key rotated completely
 * or not at all, and the next run (a run-now on a new worker process) finishes the rest exactly
 * once. (BullMQ's own recovery of the killed run comes 60 to 90 s later, too late for a test: it
 * is then one more ordinary run, which finds every key rotated.)
 */
export function killedRotationRunFinishesOnce(fleet: WorkerFleet): Promise<void> {
  return withWorkers({ ...fleet.env, ...ON_DEMAND }, (startWorker) => killedRotationRun(fleet.adminUrl, fleet.env, startWorker));
}

async function killedRotationRun(adminUrl: string, env: Record<string, string>, startWorker: () => Promise<SpawnedApp>): Promise<void> {
  const DUE_KEYS = 300;
  const platform = client(adminUrl, TEST_PLATFORM_TOKEN);

  // The worker starts while the keys are made: its scheduler's first run finds none due.
  const [first, { tenant, keys }] = await Promise.all([startWorker(), tenantWithRotatingKeys(adminUrl, DUE_KEYS, 10, 'due')]);
  const keyIds = keys.map((key) => key.id);
  await firstRotationRunDone(env);
  expect(shapes(await rotationStates(keyIds))).toEqual(new Map([['untouched', DUE_KEYS]]));
  // All due at once.
  await makeRotationDue(keyIds);

  const runId = await startJobRun(adminUrl, 'rotation');
  // Killed once a fifth of the keys have a successor, preferably while a transaction of the
  // service is open (a rotation spends most of its time inside its key's transaction).
  let seen = 0;
  let openTransactions = 0;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(20)) {
    const [poll] = await sql<{ rotated: string; open: string }>(
      'owner',
      `SELECT (SELECT count(*) FROM api_keys WHERE previous_key_id = ANY($1::uuid[])) AS rotated,
              (SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = 'keyward' AND xact_start IS NOT NULL) AS open`,
      [keyIds],
    );
    seen = Number(poll.rotated);
    openTransactions = Number(poll.open);
    if (seen >= DUE_KEYS / 5 && (openTransactions > 0 || seen >= DUE_KEYS / 2)) break;
  }
  first.kill();
  expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

  const afterKillShapes = shapes(await rotationStates(keyIds));
  // Some but not all: the run was cut in the middle.
  expect([...afterKillShapes.keys()].sort()).toEqual(['rotated', 'untouched']);
  const rotatedBeforeKill = afterKillShapes.get('rotated')!;
  expect(rotatedBeforeKill).toBeGreaterThanOrEqual(seen);
  expect(rotatedBeforeKill).toBeLessThan(DUE_KEYS);
  expect(await mostSuccessorsOfOneKey(keyIds)).toBe(1);
  // The killed run is still active in Redis: its lock has not expired yet (BullMQ moves it back
  // to waiting once it has, and a live worker's stalled-job check finds it).
  const killedRun = await platform.get(`/v1/jobs/${runId}`);
  expect(killedRun.status).toBe(200);
  expect(killedRun.body.state).toBe('active');

  const second = await startWorker();
  const { result } = await runJob(adminUrl, 'rotation');
  expect(result).toMatchObject({ due: DUE_KEYS - rotatedBeforeKill, rotated: DUE_KEYS - rotatedBeforeKill, skipped: 0, failed: 0 });

  expect(shapes(await rotationStates(keyIds))).toEqual(new Map([['rotated', DUE_KEYS]]));
  expect(await mostSuccessorsOfOneKey(keyIds)).toBe(1);
  const rotatedEvents = await sql<{ n: string }>(
    'owner',
    `SELECT count(*) AS n FROM audit_events WHERE tenant_id = $1 AND action = 'key.rotated'`,
    [tenant.id],
  );
  expect(Number(rotatedEvents[0].n)).toBe(DUE_KEYS);
  const chain = await client(adminUrl, tenant.auditor).get('/v1/audit-events/verify');
  expect(chain.status).toBe(200);
  expect(chain.body).toMatchObject({ valid: true });
  expect(await completedRuns(second, 'rotation')).toBe(1);
}

/**
 * Rolling restart of a worker: SIGTERM in the middle of a rotation run takes no new job and lets
 * the run finish (every key rotated once, the run recorded as completed) before the process
 * exits; nothing it needs (database pool, Redis) closes under it.
 */
export function sigtermLetsTheRunInFlightFinish(fleet: WorkerFleet): Promise<void> {
  return withWorkers({ ...fleet.env, ...ON_DEMAND }, async (startWorker) => {
    const { keyIds, runId, rotatedAtSignal, worker } = await runCaughtMidway(fleet, startWorker, 200);
    const exit = await worker.stop('SIGTERM');

    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect(rotatedAtSignal).toBeLessThan(keyIds.length);
    const run = await client(fleet.adminUrl, TEST_PLATFORM_TOKEN).get(`/v1/jobs/${runId}`);
    expect(run.body).toMatchObject({ state: 'completed', result: { due: keyIds.length, rotated: keyIds.length, failed: 0 } });
    expect(shapes(await rotationStates(keyIds))).toEqual(new Map([['rotated', keyIds.length]]));
  });
}

/**
 * A run cut off at a worker's grace period (SIGTERM, then the deadline ends the process) is not
 * lost: its lock expires and BullMQ's stalled-job check on another worker takes the same run up
 * again, which rotates the keys left, each once. BullMQ's default lock (30 s) and check interval
 * (30 s) make that take 30 to 90 s.
 */
export function cutOffRunIsTakenUpByAnotherWorker(fleet: WorkerFleet): Promise<void> {
  return withWorkers({ ...fleet.env, ...ON_DEMAND }, async (startWorker) => {
    const cutOff = (): Promise<SpawnedApp> => spawnApp({ app: 'worker', env: { ...fleet.env, ...ON_DEMAND, SHUTDOWN_GRACE_MS: '200' } });
    const { keyIds, runId, worker } = await runCaughtMidway(fleet, cutOff, 300);
    const other = await startWorker();
    const exit = await worker.stop('SIGTERM');
    expect(exit).toEqual({ code: 1, signal: null }); // the deadline, not a drained exit
    expect((await client(fleet.adminUrl, TEST_PLATFORM_TOKEN).get(`/v1/jobs/${runId}`)).body.state).toBe('active');
    const cut = shapes(await rotationStates(keyIds));
    expect([...cut.keys()].sort()).toEqual(['rotated', 'untouched']);

    const platform = client(fleet.adminUrl, TEST_PLATFORM_TOKEN);
    let run = await platform.get(`/v1/jobs/${runId}`);
    for (
      const deadline = Date.now() + 110_000;
      run.body.state !== 'completed' && run.body.state !== 'failed' && Date.now() < deadline;
      await sleep(500)
    ) {
      run = await platform.get(`/v1/jobs/${runId}`);
    }
    // The run the dead worker held active is completed: the other worker took it up. (The keys it
    // left may be rotated by that run or by the other worker's own first scheduled run, whichever
    // came first: each is rotated once either way.)
    expect(run.body).toMatchObject({ state: 'completed', result: { failed: 0 } });
    expect(run.body.result.rotated).toBeLessThanOrEqual(cut.get('untouched')!);
    expect(shapes(await rotationStates(keyIds))).toEqual(new Map([['rotated', keyIds.length]]));
    expect(await mostSuccessorsOfOneKey(keyIds)).toBe(1);
    expect(await completedRuns(other, 'rotation')).toBeGreaterThanOrEqual(1);
  });
}

/**
 * A scheduler's first run starts as soon as a worker upserts it: waits until no scheduled rotation
 * run is waiting or active, so that none races a run of the test. (Counted by job id: a run an
 * earlier scenario's SIGKILL left active stays so until its lock expires, and is not a scheduled one.)
 */
async function firstRotationRunDone(env: Record<string, string>): Promise<void> {
  const config = testConfig(env);
  const connection = new BullConnection(config);
  const queue = new Queue('rotation', { connection: connection.connection, prefix: bullQueuePrefix(config.redisKeyPrefix) });
  try {
    for (let i = 0; ; i++) {
      const scheduled = await queue.getJobs(['completed', 'failed', 'active', 'waiting', 'prioritized'], 0, -1);
      const ofScheduler = scheduled.filter((job) => job.id?.startsWith('repeat:'));
      const states = await Promise.all(ofScheduler.map((job) => job.getState()));
      if (
        states.some((state) => state === 'completed' || state === 'failed') &&
        states.every((state) => state === 'completed' || state === 'failed')
      )
        return;
      if (i > 300) throw new Error(`the rotation scheduler's first run did not finish: ${JSON.stringify(states)}`);
      await sleep(50);
    }
  } finally {
    await queue.close();
    await connection.onApplicationShutdown();
  }
}

/** Makes `count` keys due, starts a run on a worker from `start`, and returns once it has rotated some but not all. */
async function runCaughtMidway({ adminUrl, env }: WorkerFleet, start: () => Promise<SpawnedApp>, count: number) {
  const [worker, { keys }] = await Promise.all([start(), tenantWithRotatingKeys(adminUrl, count, 10, 'midway')]);
  const keyIds = keys.map((key) => key.id);
  await firstRotationRunDone(env);
  await makeRotationDue(keyIds);
  const runId = await startJobRun(adminUrl, 'rotation');
  let rotatedAtSignal = 0;
  for (const deadline = Date.now() + 20_000; rotatedAtSignal < count / 10 && Date.now() < deadline; await sleep(20)) {
    rotatedAtSignal = Number(
      (await sql<{ n: string }>('owner', 'SELECT count(*) AS n FROM api_keys WHERE previous_key_id = ANY($1::uuid[])', [keyIds]))[0].n,
    );
  }
  expect(rotatedAtSignal).toBeGreaterThanOrEqual(count / 10);
  return { keyIds, runId, rotatedAtSignal, worker };
}

/**
 * Two worker processes serving one rotation schedule (every 2 s) run each period once: keys that
 * fall due while both serve it are each rotated once, and the scheduled runs are two seconds apart
 * at least, each counted by one process only.
 */
export function twoWorkersRunEachPeriodOnce(fleet: WorkerFleet): Promise<void> {
  const env = { ...fleet.env, ...ON_DEMAND, ROTATION_JOB_INTERVAL_SECONDS: '2' };
  return withWorkers(env, (startWorker) => scheduledRuns(fleet.adminUrl, env, startWorker));
}

async function scheduledRuns(adminUrl: string, env: Record<string, string>, startWorker: () => Promise<SpawnedApp>): Promise<void> {
  // The queue as the workers see it, through the same connection code and prefix.
  const config = testConfig(env);
  const connection = new BullConnection(config);
  const queue = new Queue('rotation', { connection: connection.connection, prefix: bullQueuePrefix(config.redisKeyPrefix) });
  try {
    const { tenant, keys } = await tenantWithRotatingKeys(adminUrl, 21, 7, 'scheduled');
    const workers = await Promise.all([startWorker(), startWorker()]);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ key: 'rotation-schedule', every: 2000 })]);

    // Three keys fall due each second for seven seconds while both workers serve the schedule.
    const ids = keys.map((key) => key.id);
    const windowStart = Date.now();
    let most = 0;
    for (let second = 0; second < 7; second++) {
      await makeRotationDue(ids.slice(second * 3, second * 3 + 3));
      for (const until = windowStart + (second + 1) * 1000; Date.now() < until; await sleep(100))
        most = Math.max(most, await mostSuccessorsOfOneKey(ids));
    }
    const windowEnd = Date.now();
    // The last keys are rotated by the next period.
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(100)) {
      most = Math.max(most, await mostSuccessorsOfOneKey(ids));
      if (shapes(await rotationStates(ids)).get('rotated') === ids.length) break;
    }
    expect(most).toBeLessThanOrEqual(1);
    expect(shapes(await rotationStates(ids))).toEqual(new Map([['rotated', ids.length]]));
    expect((await client(adminUrl, tenant.auditor).get('/v1/audit-events/verify')).body).toMatchObject({ valid: true });

    // One run per period: the scheduled runs' ids carry their period's time, two periods apart at least.
    const runs = (await queue.getJobs(['completed'], 0, -1))
      .filter((job) => job.id!.startsWith('repeat:rotation-schedule:'))
      .map((job) => ({ millis: Number(job.id!.split(':').pop()), processedOn: job.processedOn! }))
      .sort((a, b) => a.millis - b.millis);
    for (let i = 1; i < runs.length; i++) expect(runs[i].millis - runs[i - 1].millis).toBeGreaterThanOrEqual(2000);
    const inWindow = runs.filter((run) => run.processedOn >= windowStart && run.processedOn <= windowEnd).length;
    const periods = Math.ceil((windowEnd - windowStart) / 2000);
    expect(inWindow).toBeGreaterThanOrEqual(periods - 2);
    expect(inWindow).toBeLessThanOrEqual(periods + 1);
    // Every completed run was counted by one of the two processes, and only once (read again while
    // a run completes between the two reads).
    let byWorker: number[] = [];
    let completed = -1;
    for (let attempt = 0; attempt < 20 && byWorker.reduce((sum, each) => sum + each, 0) !== completed; attempt++) {
      if (attempt > 0) await sleep(100);
      byWorker = await Promise.all(workers.map((worker) => completedRuns(worker, 'rotation')));
      completed = (await queue.getJobCounts('completed')).completed;
    }
    expect(byWorker[0] + byWorker[1]).toBe(completed);
  } finally {
    await queue.close();
    await connection.onApplicationShutdown();
  }
}
