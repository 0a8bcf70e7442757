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
// interval that must not reach the first part's queues). Both scenarios are shared with the scale
// suites (support/scale-scenarios.ts, test/scale/).
import { useOwnDatabase } from './support/database';
import { onDemandJobsEnv } from './support/jobs';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';
import {
  cutOffRunIsTakenUpByAnotherWorker,
  killedRotationRunFinishesOnce,
  sigtermLetsTheRunInFlightFinish,
  twoWorkersRunEachPeriodOnce,
} from './support/scale-scenarios';
import { stopSpawnedApps } from './support/spawn-app';

describe('worker processes', () => {
  let dropOwnDatabase: () => Promise<void>;
  let admin: RunningHttpApp;
  const killEnv = onDemandJobsEnv('worker-processes-kill');

  beforeAll(async () => {
    dropOwnDatabase = await useOwnDatabase();
    admin = await startAdminApi({ env: killEnv });
  }, 30_000);
  afterAll(async () => {
    await stopSpawnedApps();
    await admin?.close();
    await dropOwnDatabase?.();
  }, 30_000);

  describe('SIGKILL in the middle of a rotation run', () => {
    it(
      'leaves every key rotated completely or untouched, and the next run rotates the rest exactly once',
      () => killedRotationRunFinishesOnce({ adminUrl: admin.url, env: killEnv }),
      90_000,
    );
  });

  describe('SIGTERM in the middle of a rotation run (a rolling restart)', () => {
    it('finishes the run in flight, then exits', () => sigtermLetsTheRunInFlightFinish({ adminUrl: admin.url, env: killEnv }), 60_000);

    it(
      'has another worker take up a run the grace period cut off, rotating each key left once',
      () => cutOffRunIsTakenUpByAnotherWorker({ adminUrl: admin.url, env: killEnv }),
      150_000,
    );
  });

  describe('two worker processes on one schedule', () => {
    it(
      'runs each period once, never rotating a key twice',
      () =>
        twoWorkersRunEachPeriodOnce({
          adminUrl: admin.url,
          env: { REDIS_KEY_PREFIX: onDemandJobsEnv('worker-processes-schedule').REDIS_KEY_PREFIX },
        }),
      60_000,
    );
  });
});
