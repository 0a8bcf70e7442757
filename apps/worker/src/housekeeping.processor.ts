import { PurgeIdempotencyRecordsUseCase } from '@keyward/platform';
import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { JobMetrics } from './job-metrics';

export const HOUSEKEEPING_QUEUE = 'housekeeping';
const PURGE_IDEMPOTENCY = 'idempotency-purge';

/** Periodic clean-up. The purge is idempotent, so a retried or repeated run does no harm. */
@Processor(HOUSEKEEPING_QUEUE)
export class HousekeepingProcessor extends WorkerHost {
  private readonly logger = new Logger(HousekeepingProcessor.name);

  constructor(
    private readonly purgeIdempotencyRecords: PurgeIdempotencyRecordsUseCase,
    private readonly jobMetrics: JobMetrics,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case PURGE_IDEMPOTENCY:
        return this.jobMetrics.measure(PURGE_IDEMPOTENCY, () => this.purgeIdempotencyRecords.execute());
      default:
        throw new Error(`Unknown housekeeping job ${job.name}`);
    }
  }

  /** A worker's connection errors (Redis restarting, shutdown) are logged, never left unhandled. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, 'Housekeeping worker error');
  }
}

/**
 * BullMQ's job schedulers live in Redis, keyed by id: however many workers upsert the same
 * scheduler, each period runs once.
 */
@Injectable()
export class HousekeepingSchedule implements OnApplicationBootstrap {
  constructor(@InjectQueue(HOUSEKEEPING_QUEUE) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(PURGE_IDEMPOTENCY, { every: 60 * 60 * 1000 }, { name: PURGE_IDEMPOTENCY, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }
}
