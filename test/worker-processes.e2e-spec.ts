// The worker as it runs in production: separate PROCESSES started from the TypeScript sources
// (support/spawn-app.ts), next to an in-process admin API that enqueues into the same Redis prefix.
// Issue 7: a worker killed with SIGKILL in the middle of a rotation run leaves nothing half-done (each
// key is rotated in one transaction: successor, old key's end of life, escrow, audit events and
// webhook delivery together, or none of them), and the next run (a run-now on a new worker process)
// finishes the work exactly once. (BullMQ's own recovery of the killed run comes later: its lock
// lasts 30 s and the stalled-job check runs every 30 s, so it is moved back to waiting 60 to 90 s
// after the kill, too late for this suite; it is then one more ordinary run, and a run that finds
// every key rotated does nothing: see rotation-job.e2e-spec.ts.) Two worker processes on one job
// scheduler run each period once.
// The suite has a database of its own (it counts every key and every audit event) and a Redis prefix
// of its own per part (no other suite's worker may take its jobs; the schedule part has a short
// interval that must not reach the first part's queues).
import { redisOptionsFromUrl } from '@keyward/platform';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { createTenant } from './support/builders';
import { sql, useOwnDatabase } from './support/database';
import { client } from './support/http-client';
import { createKey, inBatches } from './support/key-builders';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';
import { spawnApp, stopSpawnedApps, type SpawnedApp } from './support/spawn-app';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const DUE_KEYS = 300;
const ROTATION = { intervalSeconds: 3600, gracePeriodSeconds: 3600 };

function prefix(part: string): string {
  return `${process.env.KEYWARD_TEST_REDIS_PREFIX}worker-processes-${part}-${randomBytes(3).toString('hex')}:`;
}

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

const ROTATED: Omit<RotationState, 'id'> = { expires_at_set: true, successors: 1, escrows: 1, rotated_events: 1, successor_created_events: 1, webhooks: 1 };
const UNTOUCHED: Omit<RotationState, 'id'> = { expires_at_set: false, successors: 0, escrows: 0, rotated_events: 0, successor_created_events: 0, webhooks: 0 };

/** How many keys are in each shape: only ROTATED and UNTOUCHED may appear. */
function shapes(states: RotationState[]): Map<string, number> {
  const counted = new Map<string, number>();
  for (const { id: _id, ...shape } of states) {
    const name = JSON.stringify(shape) === JSON.stringify(ROTATED) ? 'rotated' : JSON.stringify(shape) === JSON.stringify(UNTOUCHED) ? 'untouched' : JSON.stringify(shape);
    counted.set(name, (counted.get(name) ?? 0) + 1);
  }
  return counted;
}

const mostSuccessorsOfOneKey = async (): Promise<number> =>
  Number((await sql<{ most: string | null }>('owner', 'SELECT max(n) AS most FROM (SELECT count(*) AS n FROM api_keys WHERE previous_key_id IS NOT NULL GROUP BY previous_key_id) c'))[0].most ?? 0);

/** The number of a worker's completed runs of a job, from its /metrics. */
async function completedRuns(worker: SpawnedApp, job: string): Promise<number> {
  const text = await (await fetch(`${worker.url}/metrics`)).text();
  const line = text.split('\n').find((each) => each.startsWith('keyward_job_runs_total{') && each.includes(`job="${job}"`) && each.includes('outcome="completed"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('worker processes', () => {
  let dropOwnDatabase: () => Promise<void>;
  let admin: RunningHttpApp;
  const manualEnv = {
    REDIS_KEY_PREFIX: prefix('kill'),
    // Runs come from the test only (after the schedulers' first run, which finds nothing).
    ROTATION_JOB_INTERVAL_SECONDS: '86400',
    EXPIRY_JOB_INTERVAL_SECONDS: '86400',
    UNUSED_AUDIT_JOB_INTERVAL_SECONDS: '86400',
  };
  const platform = () => client(admin.url, TEST_PLATFORM_TOKEN);

  beforeAll(async () => {
    dropOwnDatabase = await useOwnDatabase();
    admin = await startAdminApi({ env: manualEnv });
  }, 30_000);
  afterAll(async () => {
    await stopSpawnedApps();
    await admin?.close();
    await dropOwnDatabase?.();
  }, 30_000);

  async function queueCounts(name: string): Promise<Record<string, number>> {
    const overview = await platform().get('/v1/jobs');
    expect(overview.status).toBe(200);
    return overview.body.queues.find((queue: { name: string }) => queue.name === name).counts;
  }

  /** A scheduler's first run starts as soon as a worker upserts it: wait for it, so that it races no run of the test. */
  async function firstScheduledRotationDone(): Promise<void> {
    for (let i = 0; ; i++) {
      const counts = await queueCounts('rotation');
      if (counts.completed + counts.failed >= 1 && counts.active + counts.waiting === 0) return;
      if (i > 300) throw new Error(`the rotation scheduler's first run did not finish: ${JSON.stringify(counts)}`);
      await sleep(50);
    }
  }

  async function jobReport(jobId: string): Promise<{ state: string; result?: Record<string, number> }> {
    const job = await platform().get(`/v1/jobs/${jobId}`);
    expect(job.status).toBe(200);
    return job.body;
  }

  async function finished(jobId: string, timeoutMs: number): Promise<Record<string, number>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const job = await jobReport(jobId);
      if (job.state === 'completed' && job.result) return job.result;
      if (job.state === 'failed') throw new Error(`run ${jobId} failed: ${JSON.stringify(job)}`);
      await sleep(50);
    }
    throw new Error(`run ${jobId} did not complete in ${timeoutMs} ms: ${JSON.stringify(await jobReport(jobId))}`);
  }

  describe('SIGKILL in the middle of a rotation run', () => {
    it('leaves every key rotated completely or untouched, and the next run rotates the rest exactly once', async () => {
      const tenant = await createTenant(admin.url);
      expect((await client(admin.url, tenant.admin).post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['key.rotated'] })).status).toBe(201);
      // The worker starts while the keys are made: its scheduler's first run finds none due.
      const [first, keys] = await Promise.all([
        spawnApp({ app: 'worker', env: manualEnv }),
        inBatches(DUE_KEYS, 10, (index) => createKey(admin.url, tenant.admin, { name: `due-${index}`, ownerId: `svc-${index % 7}`, rotation: ROTATION })),
      ]);
      const keyIds = keys.map((key) => key.id);
      await firstScheduledRotationDone();
      expect(shapes(await rotationStates(keyIds))).toEqual(new Map([['untouched', DUE_KEYS]]));
      // Made an hour ago, as far as the schedule is concerned: all due at once.
      await sql('owner', `UPDATE api_keys SET created_at = now() - interval '3601 seconds' WHERE id = ANY($1::uuid[])`, [keyIds]);

      const started = await platform().post('/v1/jobs/rotation/run');
      expect(started.status).toBe(202);
      const runId: string = started.body.jobId;
      // Killed once a fifth of the keys have a successor, preferably while a transaction of the
      // service is open (a rotation spends most of its time inside its key's transaction).
      let seen = 0;
      let openTransactions = 0;
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(20)) {
        const [poll] = await sql<{ rotated: string; open: string }>(
          'owner',
          `SELECT (SELECT count(*) FROM api_keys WHERE previous_key_id IS NOT NULL) AS rotated,
                  (SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = 'keyward' AND xact_start IS NOT NULL) AS open`,
        );
        seen = Number(poll.rotated);
        openTransactions = Number(poll.open);
        if (seen >= DUE_KEYS / 5 && (openTransactions > 0 || seen >= DUE_KEYS / 2)) break;
      }
      first.kill();
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

      const afterKill = await rotationStates(keyIds);
      const afterKillShapes = shapes(afterKill);
      // Some but not all: the run was cut in the middle.
      expect([...afterKillShapes.keys()].sort()).toEqual(['rotated', 'untouched']);
      const rotatedBeforeKill = afterKillShapes.get('rotated')!;
      expect(rotatedBeforeKill).toBeGreaterThanOrEqual(seen);
      expect(rotatedBeforeKill).toBeLessThan(DUE_KEYS);
      expect(await mostSuccessorsOfOneKey()).toBe(1);
      // The killed run is still active in Redis: its lock has not expired yet (BullMQ moves it back
      // to waiting once it has, and a live worker's stalled-job check finds it).
      expect((await jobReport(runId)).state).toBe('active');

      const second = await spawnApp({ app: 'worker', env: manualEnv });
      const rerun = await platform().post('/v1/jobs/rotation/run');
      expect(rerun.status).toBe(202);
      const result = await finished(rerun.body.jobId, 30_000);
      expect(result).toMatchObject({ due: DUE_KEYS - rotatedBeforeKill, rotated: DUE_KEYS - rotatedBeforeKill, skipped: 0, failed: 0 });

      expect(shapes(await rotationStates(keyIds))).toEqual(new Map([['rotated', DUE_KEYS]]));
      expect(await mostSuccessorsOfOneKey()).toBe(1);
      const rotatedEvents = await sql<{ n: string }>('owner', `SELECT count(*) AS n FROM audit_events WHERE tenant_id = $1 AND action = 'key.rotated'`, [tenant.id]);
      expect(Number(rotatedEvents[0].n)).toBe(DUE_KEYS);
      const chain = await client(admin.url, tenant.auditor).get('/v1/audit-events/verify');
      expect(chain.status).toBe(200);
      expect(chain.body).toMatchObject({ valid: true });
      expect(await completedRuns(second, 'rotation')).toBe(1);
    }, 90_000);
  });

  describe('two worker processes on one schedule', () => {
    const scheduleEnv = { ...manualEnv, REDIS_KEY_PREFIX: prefix('schedule'), ROTATION_JOB_INTERVAL_SECONDS: '2' };
    let queue: Queue;

    beforeAll(() => {
      queue = new Queue('rotation', { connection: redisOptionsFromUrl(process.env.KEYWARD_TEST_REDIS_URL!), prefix: `${scheduleEnv.REDIS_KEY_PREFIX}bull` });
    });
    afterAll(async () => {
      await queue?.close();
    });

    it('runs each period once, never rotating a key twice', async () => {
      const tenant = await createTenant(admin.url);
      expect((await client(admin.url, tenant.admin).post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['key.rotated'] })).status).toBe(201);
      const keys = await inBatches(21, 7, (index) => createKey(admin.url, tenant.admin, { name: `scheduled-${index}`, rotation: ROTATION }));
      const workers = await Promise.all([spawnApp({ app: 'worker', env: scheduleEnv }), spawnApp({ app: 'worker', env: scheduleEnv })]);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toEqual([expect.objectContaining({ key: 'rotation-schedule', every: 2000 })]);

      // Three keys fall due each second for seven seconds while both workers serve the schedule.
      const windowStart = Date.now();
      let most = 0;
      for (let second = 0; second < 7; second++) {
        const batch = keys.slice(second * 3, second * 3 + 3).map((key) => key.id);
        await sql('owner', `UPDATE api_keys SET created_at = now() - interval '3601 seconds' WHERE id = ANY($1::uuid[])`, [batch]);
        for (const until = windowStart + (second + 1) * 1000; Date.now() < until; await sleep(100)) most = Math.max(most, await mostSuccessorsOfOneKey());
      }
      const windowEnd = Date.now();
      // The last keys are rotated by the next period.
      const ids = keys.map((key) => key.id);
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(100)) {
        most = Math.max(most, await mostSuccessorsOfOneKey());
        if (shapes(await rotationStates(ids)).get('rotated') === ids.length) break;
      }
      expect(most).toBeLessThanOrEqual(1);
      expect(shapes(await rotationStates(ids))).toEqual(new Map([['rotated', ids.length]]));
      expect((await client(admin.url, tenant.auditor).get('/v1/audit-events/verify')).body).toMatchObject({ valid: true });

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
    }, 60_000);
  });
});
