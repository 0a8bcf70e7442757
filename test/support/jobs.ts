// Running the scheduled jobs from tests: as the platform operator would (run-now, then the run's
// status), and waiting out the schedulers' first runs so that none races a test.
import type { ScheduledJob } from '@keyward/jobs';
import { SCHEDULED_JOBS } from '@keyward/jobs';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { useOwnDatabase } from './database';
import { client } from './http-client';
import { startAdminApi, startVerify, startWorker, type RunningHttpApp } from './running-apps';
import { TEST_PLATFORM_TOKEN } from './test-config';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startJobRun(adminUrl: string, name: ScheduledJob): Promise<string> {
  const started = await client(adminUrl, TEST_PLATFORM_TOKEN).post(`/v1/jobs/${name}/run`);
  if (started.status !== 202) throw new Error(`run-now of ${name} answered ${started.status}`);
  return started.body.jobId;
}

/** The result of a run, once it has completed (a failed run throws). */
export async function jobResult(adminUrl: string, jobId: string): Promise<Record<string, number>> {
  for (let i = 0; i < 400; i++) {
    const job = await client(adminUrl, TEST_PLATFORM_TOKEN).get(`/v1/jobs/${jobId}`);
    if (job.status !== 200) throw new Error(`job status answered ${job.status}`);
    if (job.body.state === 'completed' && job.body.result) return job.body.result;
    if (job.body.state === 'failed') throw new Error(`run ${jobId} failed: ${JSON.stringify(job.body)}`);
    await sleep(50);
  }
  throw new Error(`run ${jobId} did not complete`);
}

export async function runJob(adminUrl: string, name: ScheduledJob): Promise<{ jobId: string; result: Record<string, number> }> {
  const jobId = await startJobRun(adminUrl, name);
  return { jobId, result: await jobResult(adminUrl, jobId) };
}

/** A scheduler's first run starts at once: wait for each (of the scheduled jobs' queues, or of `queues`), so that it races no test. */
export async function firstScheduledRunsDone(
  worker: Awaited<ReturnType<typeof startWorker>>,
  queues: readonly string[] = SCHEDULED_JOBS,
): Promise<void> {
  for (const name of queues) {
    const queue = worker.app.get<Queue>(getQueueToken(name), { strict: false });
    for (let i = 0; ; i++) {
      const counts = await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'prioritized');
      if (counts.completed + counts.failed >= 1 && counts.active + counts.wait + counts.prioritized === 0) return;
      if (i > 300) throw new Error(`the ${name} scheduler's first run did not finish: ${JSON.stringify(counts)}`);
      await sleep(50);
    }
  }
}

/**
 * The environment of a suite that runs jobs only when it asks: its own Redis prefix (so no other
 * suite's worker takes its runs) and every schedule a day apart (its first run finds nothing).
 */
export function onDemandJobsEnv(label: string): Record<string, string> {
  return {
    REDIS_KEY_PREFIX: `${process.env.KEYWARD_TEST_REDIS_PREFIX}${label}-${randomBytes(3).toString('hex')}:`,
    ROTATION_JOB_INTERVAL_SECONDS: '86400',
    EXPIRY_JOB_INTERVAL_SECONDS: '86400',
    UNUSED_AUDIT_JOB_INTERVAL_SECONDS: '86400',
    SIGNALS_JOB_INTERVAL_SECONDS: '3600',
  };
}

type Worker = Awaited<ReturnType<typeof startWorker>>;

/** The services of a suite whose jobs run when it asks (onDemandJobsEnv), on a database of its own. */
export interface OnDemandJobApps {
  admin: RunningHttpApp;
  verify: RunningHttpApp;
  worker: Worker;
  /** A second worker on the same queues, so that two runs are taken at once. */
  secondWorker: Worker;
  /** Closes them all and drops the database. */
  close(): Promise<void>;
}

/** Starts them once the suite has its own database, and waits out the schedulers' first runs. */
export async function startOnDemandJobApps(label: string): Promise<OnDemandJobApps> {
  const dropOwnDatabase = await useOwnDatabase();
  const env = onDemandJobsEnv(label);
  const started: Array<{ close(): Promise<void> }> = [];
  const close = async () => {
    for (const app of started.reverse()) await app.close();
    await dropOwnDatabase();
  };
  try {
    const admin = await startAdminApi({ env });
    started.push(admin);
    const verify = await startVerify({ env });
    started.push(verify);
    const worker = await startWorker({ env });
    started.push(worker);
    const secondWorker = await startWorker({ env });
    started.push(secondWorker);
    await firstScheduledRunsDone(worker);
    return { admin, verify, worker, secondWorker, close };
  } catch (error) {
    await close();
    throw error;
  }
}
