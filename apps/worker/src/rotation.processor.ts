import { isUnreleasedManualRun, RUN_JOB } from '@keyward/jobs';
import { RunScheduledRotationsUseCase, type ScheduledRotationReport } from '@keyward/keys';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { BullConnectionLog } from './bull-connection-log';
import { JobMetrics } from './job-metrics';
import { REFUSED_MANUAL_RUN } from './refused-manual-run';

/** The `rotation` queue: each run rotates every key that is due (see RunScheduledRotationsUseCase). */
@Processor('rotation')
export class RotationProcessor extends WorkerHost {
  constructor(
    private readonly runScheduledRotations: RunScheduledRotationsUseCase,
    private readonly jobMetrics: JobMetrics,
    private readonly connectionLog: BullConnectionLog,
  ) {
    super();
  }

  async process(job: Job): Promise<ScheduledRotationReport> {
    if (job.name !== RUN_JOB) throw new Error(`Unknown rotation job ${job.name}`);
    if (isUnreleasedManualRun(job)) throw new UnrecoverableError(REFUSED_MANUAL_RUN);
    return this.jobMetrics.measure('rotation', () => this.runScheduledRotations.execute(`job:${job.id}`), job);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.connectionLog.error(error, 'rotation worker');
  }

  @OnWorkerEvent('ready')
  onReady(): void {
    this.connectionLog.ready();
  }
}
