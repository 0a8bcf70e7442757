// Every job schedule of the worker, kept in Redis. BullMQ's job schedulers live in Redis alone,
// keyed by id: however many workers upsert the same scheduler, each period runs once. But a Redis
// that loses its data (restarted without persistence, flushed, failed over to a replica that had
// not caught up) keeps none, and nothing would run again until a worker restarted. So the worker
// puts back whatever is missing when Redis comes back (the 'ready' of its connection), every
// JOB_SCHEDULE_CHECK_SECONDS (a flush closes no connection), and whenever its readiness probe
// finds one missing; until then /readyz says not ready (docs/failure-modes.md).
import { HOUSEKEEPING_QUEUE, RUN_JOB, SCHEDULED_JOBS, WEBHOOK_DELIVERY_QUEUE } from '@keyward/jobs';
import { errorSummary, KEYWARD_CONFIG, Readiness, REDIS_CLIENT, type KeywardConfig, type RedisClient } from '@keyward/platform';
import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';

/** A webhook delivery pass (WebhookDeliveryProcessor). */
export const DELIVERY_PASS = 'deliver-due';
/** How often a pass looks for due deliveries; a first retry is due 15 s after a failure. */
const DELIVERY_PASS_EVERY_MS = 1000;
/**
 * The hourly housekeeping pass (HousekeepingProcessor: retention). Its scheduler's id and job name
 * date from when it purged idempotency records only; kept, so that a deployment's scheduler in
 * Redis stays the one that runs it.
 */
export const HOUSEKEEPING_PASS = 'idempotency-purge';
const HOUSEKEEPING_EVERY_MS = 60 * 60 * 1000;
/** The signed checkpoints of the audit chains that moved (HousekeepingProcessor, docs/auditing.md). */
export const AUDIT_CHECKPOINT = 'audit-checkpoint';
const AUDIT_CHECKPOINT_EVERY_MS = 60 * 60 * 1000;
/** The rotation of the audit signing key once it is SIGNING_KEY_MAX_AGE_SECONDS old, checked daily. */
export const SIGNING_KEY_ROTATION = 'signing-key-rotation';
const SIGNING_KEY_ROTATION_CHECK_EVERY_MS = 24 * 60 * 60 * 1000;
export const SIGNING_KEY_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/**
 * The rotation of the principal signing key once it is KEYWARD_PRINCIPAL_KEY_MAX_AGE_DAYS old, checked
 * hourly: a key replaced by hand restarts its age (docs/gateways.md, Signed principals).
 */
export const PRINCIPAL_KEY_ROTATION = 'principal-key-rotation';
const PRINCIPAL_KEY_ROTATION_CHECK_EVERY_MS = 60 * 60 * 1000;

export interface Schedule {
  queue: string;
  /** The job scheduler's id in its queue. */
  id: string;
  everyMs: number;
  job: { name: string; data?: Record<string, unknown>; opts: { removeOnComplete: number; removeOnFail: number } };
}

/** Every schedule the worker keeps, with the intervals of `config`. */
export function workerSchedules(config: KeywardConfig): Schedule[] {
  return [
    ...SCHEDULED_JOBS.map((name) => ({
      queue: name,
      id: `${name}-schedule`,
      everyMs: config.jobIntervals[name] * 1000,
      job: { name: RUN_JOB, data: { trigger: 'schedule' }, opts: { removeOnComplete: 1000, removeOnFail: 1000 } },
    })),
    {
      queue: WEBHOOK_DELIVERY_QUEUE,
      id: DELIVERY_PASS,
      everyMs: DELIVERY_PASS_EVERY_MS,
      job: { name: DELIVERY_PASS, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    },
    ...[
      { name: HOUSEKEEPING_PASS, everyMs: HOUSEKEEPING_EVERY_MS },
      { name: AUDIT_CHECKPOINT, everyMs: AUDIT_CHECKPOINT_EVERY_MS },
      { name: SIGNING_KEY_ROTATION, everyMs: SIGNING_KEY_ROTATION_CHECK_EVERY_MS },
      { name: PRINCIPAL_KEY_ROTATION, everyMs: PRINCIPAL_KEY_ROTATION_CHECK_EVERY_MS },
    ].map(({ name, everyMs }) => ({
      queue: HOUSEKEEPING_QUEUE,
      id: name,
      everyMs,
      job: { name, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    })),
  ];
}

@Injectable()
export class ScheduleKeeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduleKeeper.name);
  private readonly schedules: Schedule[];
  private timer?: NodeJS.Timeout;
  private repairing?: Promise<void>;
  private stopped = false;
  private readonly onRedisReady = (): void => void this.repair('Redis is back');

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly readiness: Readiness,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {
    this.schedules = workerSchedules(config);
  }

  async onApplicationBootstrap(): Promise<void> {
    // At boot, every schedule as configured: an interval changed since the last boot takes effect.
    for (const schedule of this.schedules) await this.upsert(schedule);
    this.readiness.addCheck('schedules', async () => {
      const missing = await this.missing();
      if (missing.length > 0) void this.repair('a readiness probe found them missing');
      return missing.length === 0;
    });
    this.redis.on('ready', this.onRedisReady);
    this.timer = setInterval(() => void this.repair('periodic check'), this.config.jobScheduleCheckSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.redis.off('ready', this.onRedisReady);
  }

  /**
   * The schedules Redis does not have, read on the process's fail-fast connection (a command waits
   * at most a second and none is queued while Redis is away); throws when Redis does not answer.
   */
  async missing(): Promise<Schedule[]> {
    const present = await Promise.all(
      this.schedules.map((schedule) => this.redis.zscore(this.queue(schedule.queue).keys.repeat, schedule.id)),
    );
    return this.schedules.filter((_, index) => present[index] === null);
  }

  /** Puts back the missing schedules; one repair at a time (a call meanwhile joins it). */
  repair(reason: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.repairing ??= (async () => {
      let missing: Schedule[];
      try {
        missing = await this.missing();
      } catch {
        return; // Redis does not answer: its return ('ready') or the next check repairs
      }
      if (missing.length === 0) return;
      for (const schedule of missing) await this.upsert(schedule);
      this.logger.warn(
        { schedules: missing.map(({ id }) => id), reason },
        'Job schedules were missing from Redis (its data was lost); re-created them',
      );
    })()
      .catch((error: unknown) =>
        this.logger.warn({ error: errorSummary(error), reason }, 'Could not re-create the job schedules; the next check tries again'),
      )
      .finally(() => (this.repairing = undefined));
    return this.repairing;
  }

  private upsert({ queue, id, everyMs, job }: Schedule): Promise<unknown> {
    return this.queue(queue).upsertJobScheduler(id, { every: everyMs }, job);
  }

  private queue(name: string): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }
}
