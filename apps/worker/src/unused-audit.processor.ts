import { isUnreleasedManualRun, RUN_JOB } from '@keyward/jobs';
import { AuditUnusedKeysUseCase, type UnusedAuditRunReport } from '@keyward/keys';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { BullConnectionLog } from './bull-connection-log';
import { JobMetrics } from './job-metrics';
import { REFUSED_MANUAL_RUN } from './refused-manual-run';

/** The `unused-audit` queue: each run audits every tenant's idle keys (see AuditUnusedKeysUseCase). */
@Processor('unused-audit')
export class UnusedAuditProcessor extends WorkerHost {
  private readonly logger = new Logger(UnusedAuditProcessor.name);

  constructor(
    private readonly auditUnusedKeys: AuditUnusedKeysUseCase,
    private readonly jobMetrics: JobMetrics,
    private readonly connectionLog: BullConnectionLog,
  ) {
    super();
  }

  async process(job: Job): Promise<UnusedAuditRunReport> {
    if (job.name !== RUN_JOB) throw new Error(`Unknown unused-audit job ${job.name}`);
    if (isUnreleasedManualRun(job)) throw new UnrecoverableError(REFUSED_MANUAL_RUN);
    return this.jobMetrics.measure('unused-audit', () => this.auditUnusedKeys.execute(`job:${job.id}`), job);
  }

  /** A failed run (the database away, say) changed nothing it did not finish; the next run picks up. */
  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.error({ err: error, jobId: job?.id }, 'Unused-key audit run failed; the next run retries it');
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.connectionLog.error(error, 'unused-audit worker');
  }

  @OnWorkerEvent('ready')
  onReady(): void {
    this.connectionLog.ready();
  }
}
