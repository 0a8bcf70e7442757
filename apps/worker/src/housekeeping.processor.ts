import { RecordAuditCheckpointsUseCase } from '@keyward/audit';
import { HOUSEKEEPING_QUEUE } from '@keyward/jobs';
import { SigningKeyRing } from '@keyward/signing';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AuditCheckpointMetrics } from './audit-checkpoint-metrics';
import { BullConnectionLog } from './bull-connection-log';
import { JobMetrics } from './job-metrics';
import { EnforceRetention } from './retention';
import { AUDIT_CHECKPOINT, HOUSEKEEPING_PASS, SIGNING_KEY_MAX_AGE_SECONDS, SIGNING_KEY_ROTATION } from './schedule-keeper';

/**
 * Periodic upkeep (its schedules: schedule-keeper.ts). Each job is idempotent, so a retried or
 * repeated run does no harm: retention (retention.ts) deletes what is past its age, a checkpoint
 * is kept once per seq, and the key rotates only once it is SIGNING_KEY_MAX_AGE_SECONDS old.
 */
@Processor(HOUSEKEEPING_QUEUE)
export class HousekeepingProcessor extends WorkerHost {
  constructor(
    private readonly enforceRetention: EnforceRetention,
    private readonly recordAuditCheckpoints: RecordAuditCheckpointsUseCase,
    private readonly keyRing: SigningKeyRing,
    private readonly jobMetrics: JobMetrics,
    private readonly checkpointMetrics: AuditCheckpointMetrics,
    private readonly connectionLog: BullConnectionLog,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case HOUSEKEEPING_PASS:
        return this.jobMetrics.measure(HOUSEKEEPING_PASS, () => this.enforceRetention.execute(), job);
      case AUDIT_CHECKPOINT:
        return this.jobMetrics.measure(
          AUDIT_CHECKPOINT,
          async () => this.checkpointMetrics.record(await this.recordAuditCheckpoints.execute()),
          job,
        );
      case SIGNING_KEY_ROTATION:
        return this.jobMetrics.measure(
          SIGNING_KEY_ROTATION,
          async () => ({
            keyId: await this.keyRing.rotate('audit', { ifOlderThanSeconds: SIGNING_KEY_MAX_AGE_SECONDS }),
          }),
          job,
        );
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
