import { ALL_QUEUES, HOUSEKEEPING_QUEUE, SCHEDULED_JOBS, WEBHOOK_DELIVERY_QUEUE } from '@keyward/jobs';
import { inSpan, Metrics, withTimeout, type TraceCarrier } from '@keyward/platform';
import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Job, Queue } from 'bullmq';
import { Counter, Gauge, Histogram } from 'prom-client';
import { AUDIT_CHECKPOINT, HOUSEKEEPING_PASS, PRINCIPAL_KEY_ROTATION, SIGNING_KEY_ROTATION } from './schedule-keeper';

/** The queue of each job the worker measures (a scheduled job runs on the queue of its name). */
const QUEUE_OF: Record<string, string> = {
  ...Object.fromEntries(SCHEDULED_JOBS.map((name) => [name, name])),
  [WEBHOOK_DELIVERY_QUEUE]: WEBHOOK_DELIVERY_QUEUE,
  ...Object.fromEntries(
    [HOUSEKEEPING_PASS, AUDIT_CHECKPOINT, SIGNING_KEY_ROTATION, PRINCIPAL_KEY_ROTATION].map((name) => [name, HOUSEKEEPING_QUEUE]),
  ),
};

/** The states of a queue's jobs counted on each scrape (BullMQ's names; `wait` shown as `waiting`). */
const COUNTED_STATES = { waiting: 'wait', active: 'active', delayed: 'delayed', failed: 'failed' } as const;
/** A scrape waits at most this long for Redis's counts; past it the gauge has no sample. */
const COUNT_TIMEOUT_MS = 1000;

/**
 * Runs, failures and duration of every job by queue, and each queue's jobs by state, on the
 * worker's /metrics (what the job alerts of docs/runbooks.md read). The queue is a label of its
 * own: Prometheus keeps `job` for its scrape job and renames a metric's `job` to `exported_job`.
 */
@Injectable()
export class JobMetrics {
  private readonly runs: Counter<'job' | 'outcome' | 'queue'>;
  private readonly duration: Histogram<'job' | 'queue'>;

  constructor(metrics: Metrics, moduleRef: ModuleRef) {
    const registers = [metrics.registry];
    this.runs = new Counter({
      name: 'keyward_job_runs_total',
      help: 'Job runs by queue, job and outcome',
      labelNames: ['job', 'outcome', 'queue'],
      registers,
    });
    // Every series from 0 at start: a first failure is then an increase that alerts can see.
    for (const [job, queue] of Object.entries(QUEUE_OF))
      for (const outcome of ['completed', 'failed']) this.runs.inc({ job, outcome, queue }, 0);
    this.duration = new Histogram({
      name: 'keyward_job_duration_seconds',
      help: 'Duration of job runs',
      labelNames: ['job', 'queue'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    });
    /** A queue's counts; none while its connection is down, so that no command waits behind the outage. */
    const countsOf = async (name: string) => {
      const queue = moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      if ((await queue.client).status !== 'ready') return null;
      return queue.getJobCounts(...Object.values(COUNTED_STATES));
    };
    new Gauge({
      name: 'keyward_job_queue_jobs',
      help: 'Jobs in each queue by state (waiting, active, delayed, failed and kept), when scraped',
      labelNames: ['queue', 'state'],
      registers,
      async collect(this: Gauge<'queue' | 'state'>) {
        const counts = await Promise.all(
          ALL_QUEUES.map((name) => withTimeout(countsOf(name), COUNT_TIMEOUT_MS, 'job counts').catch(() => null)),
        );
        this.reset();
        ALL_QUEUES.forEach((queue, index) => {
          const count = counts[index];
          if (!count) return; // Redis did not answer: no sample rather than a stale one
          for (const [state, bullState] of Object.entries(COUNTED_STATES)) this.set({ queue, state }, count[bullState] ?? 0);
        });
      },
    });
  }

  /**
   * Runs `work` as one run of `job`, counting its outcome and duration; with the BullMQ job it runs
   * for, also traced, as a child of the request that enqueued it if any (docs/operations.md, Tracing).
   */
  async measure<T>(job: string, work: () => Promise<T>, bullJob?: Pick<Job, 'id' | 'data'>): Promise<T> {
    const queue = QUEUE_OF[job];
    if (!queue) throw new Error(`No queue known for job ${job} (job-metrics.ts)`);
    const stop = this.duration.startTimer({ job, queue });
    try {
      const result = bullJob
        ? await inSpan(
            `job ${job}`,
            {
              parent: (bullJob.data as TraceCarrier | undefined)?.traceparent,
              kind: 'consumer',
              attributes: { 'messaging.destination.name': queue, 'messaging.message.id': bullJob.id ?? '' },
            },
            work,
          )
        : await work();
      this.runs.inc({ job, outcome: 'completed', queue });
      return result;
    } catch (error) {
      this.runs.inc({ job, outcome: 'failed', queue });
      throw error;
    } finally {
      stop();
    }
  }
}
