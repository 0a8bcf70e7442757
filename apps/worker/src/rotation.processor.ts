import { RUN_JOB } from '@keyward/jobs';
import { RunScheduledRotationsUseCase, type ScheduledRotationReport } from '@keyward/keys';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobMetrics } from './job-metrics';

/** The `rotation` queue: each run rotates every key that is due (see RunScheduledRotationsUseCase). */
@Processor('rotation')
export class RotationProcessor extends WorkerHost {
  private readonly logger = new Logger(RotationProcessor.name);

  constructor(
    private readonly runScheduledRotations: RunScheduledRotationsUseCase,
    private readonly jobMetrics: JobMetrics,
  ) {
    super();
  }

  async process(job: Job): Promise<ScheduledRotationReport> {
    if (job.name !== RUN_JOB) throw new Error(`Unknown rotation job ${job.name}`);
    return this.jobMetrics.measure('rotation', () => this.runScheduledRotations.execute(`job:${job.id}`));
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, 'Rotation worker error');
  }
}
