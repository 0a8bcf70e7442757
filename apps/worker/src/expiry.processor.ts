import { isUnreleasedManualRun, RUN_JOB } from '@keyward/jobs';
import { ExpireKeysUseCase, type ExpiryRunReport } from '@keyward/keys';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { BullConnectionLog } from './bull-connection-log';
import { JobMetrics } from './job-metrics';
import { REFUSED_MANUAL_RUN } from './refused-manual-run';

/** The `expiry` queue: each run records passed expiries and sends due warnings (see ExpireKeysUseCase). */
@Processor('expiry')
export class ExpiryProcessor extends WorkerHost {
  private readonly logger = new Logger(ExpiryProcessor.name);

  constructor(
    private readonly expireKeys: ExpireKeysUseCase,
    private readonly jobMetrics: JobMetrics,
    private readonly connectionLog: BullConnectionLog,
  ) {
    super();
  }

  async process(job: Job): Promise<ExpiryRunReport> {
    if (job.name !== RUN_JOB) throw new Error(`Unknown expiry job ${job.name}`);
    if (isUnreleasedManualRun(job)) throw new UnrecoverableError(REFUSED_MANUAL_RUN);
    return this.jobMetrics.measure('expiry', () => this.expireKeys.execute(`job:${job.id}`), job);
  }

  /** A failed run (the database away, say) changed nothing it did not finish; the next run picks up. */
  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.error({ err: error, jobId: job?.id }, 'Expiry run failed; the next run retries it');
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.connectionLog.error(error, 'expiry worker');
  }

  @OnWorkerEvent('ready')
  onReady(): void {
    this.connectionLog.ready();
  }
}
