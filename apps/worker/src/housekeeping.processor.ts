import { HOUSEKEEPING_QUEUE } from '@keyward/jobs';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { BullConnectionLog } from './bull-connection-log';
import { JobMetrics } from './job-metrics';
import { EnforceRetention } from './retention';
import { HOUSEKEEPING_PASS } from './schedule-keeper';

/**
 * Periodic clean-up (its schedule: schedule-keeper.ts): retention (retention.ts). Deleting what is
 * past its age is idempotent, so a retried or repeated run does no harm.
 */
@Processor(HOUSEKEEPING_QUEUE)
export class HousekeepingProcessor extends WorkerHost {
  constructor(
    private readonly enforceRetention: EnforceRetention,
    private readonly jobMetrics: JobMetrics,
    private readonly connectionLog: BullConnectionLog,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case HOUSEKEEPING_PASS:
        return this.jobMetrics.measure(HOUSEKEEPING_PASS, () => this.enforceRetention.execute());
      default:
        throw new Error(`Unknown housekeeping job ${job.name}`);
    }
  }

  /** A worker's connection errors (Redis restarting, shutdown) are logged once per outage, never left unhandled. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.connectionLog.error(error, 'housekeeping worker');
  }

  @OnWorkerEvent('ready')
  onReady(): void {
    this.connectionLog.ready();
  }
}
