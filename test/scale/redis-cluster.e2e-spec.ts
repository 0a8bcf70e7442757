// Keyward on a real Redis Cluster (issue 8): three masters started by the test from the
// redis-server binary (support/redis-cluster.ts), an in-process admin API, two verify processes and
// worker processes, all given the cluster as REDIS_URL (redis+cluster://...). The scenarios every
// deployment must pass (support/scale-scenarios.ts) run unchanged on it: exact limits and credits
// across processes, changes in force everywhere within a second (pub/sub through the cluster), a
// killed rotation run finished exactly once, one scheduled run per period. Then the keys show that
// the cluster was really used: spread over the masters, with the keys every Lua script touches
// together in one slot. Last, a worker stopped mid-run still records the run before its connection
// to the cluster (shared by its BullMQ workers, closed by Keyward) closes.
import { BullConnection, bullQueuePrefix, RUN_JOB } from '@keyward/jobs';
import { KeyCounters } from '@keyward/keys';
import { createRedisConnection, keysUnder, loadRedisTarget, masterConnections, type RedisClient } from '@keyward/platform';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { createTenant } from '../support/builders';
import { sql, useOwnDatabase } from '../support/database';
import { onDemandJobsEnv } from '../support/jobs';
import { createKey, inBatches } from '../support/key-builders';
import { client } from '../support/http-client';
import {
  ownerLimitIsSharedExactly,
  retriedVerificationIsChargedOnce,
  severalLimitsAndCreditsAreExact,
  slidingLimitIsExact,
} from '../support/key-model-scenarios';
import { startRedisCluster, type RedisClusterUnderTest } from '../support/redis-cluster';
import { startAdminApi, type RunningHttpApp } from '../support/running-apps';
import {
  changesReachEveryProcessWithinASecond,
  creditsAreExactAcrossProcesses,
  killedRotationRunFinishesOnce,
  limitIsExactAcrossProcesses,
  makeRotationDue,
  ROTATION,
  storedRemaining,
  twoWorkersRunEachPeriodOnce,
  verifyOn,
  withOutputOf,
  type VerifyFleet,
} from '../support/scale-scenarios';
import { spawnApp, stopSpawnedApps, type SpawnedApp } from '../support/spawn-app';
import { testConfig } from '../support/test-config';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every key of the suite's prefixes on each master, by the master's port. */
async function keysByMaster(redis: RedisClient, prefixes: string[]): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  for (const master of masterConnections(redis)) {
    const keys: string[] = [];
    for (const prefix of prefixes) for await (const batch of keysUnder(master, prefix)) keys.push(...batch);
    found.set(master.options.port!, keys);
  }
  return found;
}

describe('on a Redis Cluster of three masters', () => {
  let cluster: RedisClusterUnderTest;
  let admin: RunningHttpApp;
  let verifyA: SpawnedApp;
  let verifyB: SpawnedApp;
  /** The admin API's, the verify processes' and the killed-run workers' environment over the test one. */
  let env: Record<string, string>;
  /** The scheduled-runs workers': a prefix of their own, whose 2-second schedule reaches no other queue. */
  let scheduleEnv: Record<string, string>;
  let redis: RedisClient;
  let dropOwnDatabase: () => Promise<void>;

  beforeAll(async () => {
    // A database of its own: a rotation run rotates every due key of its database, so the runs of
    // other suites' workers would take this suite's keys.
    dropOwnDatabase = await useOwnDatabase();
    cluster = await startRedisCluster();
    env = { ...onDemandJobsEnv('redis-cluster'), REDIS_URL: cluster.url };
    scheduleEnv = { REDIS_URL: cluster.url, REDIS_KEY_PREFIX: onDemandJobsEnv('redis-cluster-schedule').REDIS_KEY_PREFIX };
    // Each is kept as soon as it runs, and all are waited for, so that afterAll stops whatever
    // started even when another failed.
    const started = await Promise.allSettled([
      startAdminApi({ env }).then((app) => (admin = app)),
      spawnApp({ app: 'verify', env }).then((app) => (verifyA = app)),
      spawnApp({ app: 'verify', env }).then((app) => (verifyB = app)),
    ]);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    redis = createRedisConnection(loadRedisTarget({ REDIS_URL: cluster.url }), 'keyward-test', { patient: true });
  }, 90_000);

  afterAll(async () => {
    redis?.disconnect();
    await stopSpawnedApps();
    await admin?.close();
    await cluster?.stop();
    await dropOwnDatabase?.();
  }, 60_000);

  const fleet = (): VerifyFleet => ({ adminUrl: admin.url, verifiers: [verifyA, verifyB] });
  const withDiagnostics = (work: () => Promise<void>) => withOutputOf([verifyA, verifyB], work);

  it('lets exactly the limit through a window across two verify processes', () =>
    withDiagnostics(() => limitIsExactAcrossProcesses(fleet())));

  it('spends credits exactly across two verify processes and writes the balance back', () =>
    withDiagnostics(() => creditsAreExactAcrossProcesses(fleet())));

  it('puts revoke, disable, a patch and tenant suspension in force on both verify processes within a second', () =>
    withDiagnostics(() => changesReachEveryProcessWithinASecond(fleet())));

  it("shares an owner's limit exactly among its keys across two verify processes", () =>
    withDiagnostics(() => ownerLimitIsSharedExactly(fleet())));

  it('keeps several limits and credits exact together, and a refused verification charges nothing', () =>
    withDiagnostics(() => severalLimitsAndCreditsAreExact(fleet())));

  it('keeps a sliding limit exact under load', () => withDiagnostics(() => slidingLimitIsExact(fleet())), 20_000);

  it('charges a retried verification once', () => withDiagnostics(() => retriedVerificationIsChargedOnce(fleet())));

  it('writes back the balances of many keys charged in the same second, whatever their slots', () =>
    withDiagnostics(async () => {
      // A write-back reads every balance a process charged since the last one; the keys' balances
      // live in as many slots, on every master.
      const tenant = await createTenant(admin.url);
      const keys = await Promise.all(Array.from({ length: 12 }, () => createKey(admin.url, tenant.admin, { remaining: 3 })));
      const answers = await Promise.all(keys.map(({ key }) => verifyOn(verifyA, tenant.verifier, { key })));
      expect(answers.map((answer) => answer.body.code)).toEqual(Array(12).fill('VALID'));

      expect(await Promise.all(keys.map(({ id }) => storedRemaining(admin.url, tenant.admin, id, 2)))).toEqual(Array(12).fill(2));
    }));

  it(
    'finishes a rotation run killed half-way exactly once, on a new worker process',
    () => killedRotationRunFinishesOnce({ adminUrl: admin.url, env }),
    90_000,
  );

  it(
    'runs each scheduled period once with two worker processes',
    () => twoWorkersRunEachPeriodOnce({ adminUrl: admin.url, env: scheduleEnv }),
    60_000,
  );

  it('spreads the keys over the masters, and keeps the keys each script touches together in one slot', async () => {
    const tenant = await createTenant(admin.url);
    const { id, key } = await createKey(admin.url, tenant.admin, { rateLimit: { limit: 10, windowSeconds: 3600 }, remaining: 5 });
    // One charge writes all three counters of the key: its window, its balance, the call's marker (kept 5 s).
    expect((await verifyOn(verifyA, tenant.verifier, { key })).body.code).toBe('VALID');

    const byMaster = await keysByMaster(redis, [env.REDIS_KEY_PREFIX, scheduleEnv.REDIS_KEY_PREFIX]);
    const counts = Object.fromEntries([...byMaster].map(([port, keys]) => [port, keys.length]));
    // More than one master holds keys (the counts show how many each holds, should this fail).
    expect({ counts, onSeveralMasters: [...byMaster.values()].filter((keys) => keys.length > 0).length > 1 }).toEqual({
      counts,
      onSeveralMasters: true,
    });

    const slotOf = (each: string) => redis.cluster('KEYSLOT', each);
    const holding = (wanted: (key: string) => boolean) =>
      [...byMaster].flatMap(([port, keys]) => keys.filter(wanted).map((each) => ({ port, key: each })));
    const counters = holding((each) => each.includes(`{${id}}`));
    expect(counters.map((each) => each.key.slice(env.REDIS_KEY_PREFIX.length).split(':')[0]).sort()).toEqual(['cr', 'op', 'rl']);
    expect(new Set(counters.map((each) => each.port)).size).toBe(1);
    expect(new Set(await Promise.all(counters.map((each) => slotOf(each.key)))).size).toBe(1);

    // A key of an owner: its counters and the owner's share the owner's tag, so one script charges all.
    const ownerId = `cus_${randomUUID().slice(0, 8)}`;
    const ownerPut = await client(admin.url, tenant.admin).put(`/v1/owners/${ownerId}`, {
      rateLimits: [{ name: 'burst', limit: 100, windowSeconds: 1, algorithm: 'sliding' }],
      credits: { remaining: 50 },
    });
    expect(ownerPut.status).toBe(200);
    const owned = await createKey(admin.url, tenant.admin, { ownerId, rateLimit: { limit: 10, windowSeconds: 3600 }, remaining: 5 });
    expect((await verifyOn(verifyA, tenant.verifier, { key: owned.key })).body).toMatchObject({
      code: 'VALID',
      credits: { ownerRemaining: 49 },
    });
    const tag = KeyCounters.ownerTag(tenant.id, ownerId);
    const shared = (await keysByMaster(redis, [env.REDIS_KEY_PREFIX])).entries();
    const ownerCounters = [...shared].flatMap(([port, keys]) =>
      keys.filter((each) => each.includes(`{${tag}}`)).map((each) => ({ port, key: each })),
    );
    expect(ownerCounters.map((each) => each.key.slice(env.REDIS_KEY_PREFIX.length).split(':')[0]).sort()).toEqual([
      'cr',
      'cr',
      'op',
      'rl',
      'rl',
    ]);
    expect(new Set(await Promise.all(ownerCounters.map((each) => slotOf(each.key)))).size).toBe(1);

    // Each BullMQ prefix is one hash tag: every key of its queues in one slot, as its scripts need.
    for (const prefix of [env.REDIS_KEY_PREFIX, scheduleEnv.REDIS_KEY_PREFIX]) {
      const queueKeys = holding((each) => each.startsWith(`${bullQueuePrefix(prefix)}:`));
      expect(queueKeys.length).toBeGreaterThan(10);
      expect(new Set(await Promise.all(queueKeys.map((each) => slotOf(each.key)))).size).toBe(1);
    }
  });

  it('lets a worker stopped by SIGTERM mid-run finish the run before it closes its cluster connection', async () => {
    // A prefix of its own: no other worker of the suite takes the run. The run is enqueued and read
    // through BullMQ directly, as the admin API would on that prefix.
    const ownEnv = { ...onDemandJobsEnv('redis-cluster-sigterm'), REDIS_URL: cluster.url };
    const config = testConfig(ownEnv);
    const connection = new BullConnection(config);
    const queue = new Queue('rotation', { connection: connection.connection, prefix: bullQueuePrefix(config.redisKeyPrefix) });
    try {
      const tenant = await createTenant(admin.url);
      const ids = (await inBatches(150, 10, () => createKey(admin.url, tenant.admin, { rotation: ROTATION }))).map(
        (each: { id: string }) => each.id,
      );
      const worker = await spawnApp({ app: 'worker', env: ownEnv });
      // The scheduler's first run (at once, finding nothing due) is over before the keys fall due.
      for (
        let counts = await queue.getJobCounts();
        counts.completed < 1 || counts.active + counts.wait > 0;
        counts = await queue.getJobCounts()
      )
        await sleep(50);
      await makeRotationDue(ids);

      const run = await queue.add(RUN_JOB, { trigger: 'manual' }, { jobId: `rotation_${randomUUID()}` });
      const rotated = async () =>
        Number(
          (await sql<{ n: string }>('owner', 'SELECT count(*) AS n FROM api_keys WHERE previous_key_id = ANY($1::uuid[])', [ids]))[0].n,
        );
      let rotatedAtSigterm = await rotated();
      for (const deadline = Date.now() + 20_000; rotatedAtSigterm < 10 && Date.now() < deadline; rotatedAtSigterm = await rotated())
        await sleep(20);
      const exit = await worker.stop('SIGTERM');

      // SIGTERM came in the middle of the run, and the run was completed (recorded as such through
      // the shared cluster connection, which therefore closed only after the workers had).
      expect({ rotatedAtSigterm, exit }).toEqual({ rotatedAtSigterm: expect.any(Number), exit: { code: null, signal: 'SIGTERM' } });
      expect(rotatedAtSigterm).toBeGreaterThanOrEqual(10);
      expect(rotatedAtSigterm).toBeLessThan(ids.length);
      const job = (await queue.getJob(run.id!))!;
      expect({ state: await job.getState(), result: job.returnvalue }).toMatchObject({
        state: 'completed',
        result: { due: ids.length, rotated: ids.length, failed: 0 },
      });
      expect(await rotated()).toBe(ids.length);
    } finally {
      await queue.close();
      await connection.onApplicationShutdown();
    }
  }, 60_000);
});
