import { RecordAuditCheckpointsUseCase } from '@keyward/audit';
import { HOUSEKEEPING_QUEUE } from '@keyward/jobs';
import { KEYWARD_CONFIG, type KeywardConfig } from '@keyward/platform';
import { PrincipalKeyRotation, SigningKeyRing } from '@keyward/signing';
import { Inject } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AuditCheckpointMetrics } from './audit-checkpoint-metrics';
import { BullConnectionLog } from './bull-connection-log';
import { JobMetrics } from './job-metrics';
import { EnforceRetention } from './retention';
import {
  AUDIT_CHECKPOINT,
  HOUSEKEEPING_PASS,
  PRINCIPAL_KEY_ROTATION,
  SIGNING_KEY_MAX_AGE_SECONDS,
  SIGNING_KEY_ROTATION,
} from './schedule-keeper';

/**
 * Periodic upkeep (its schedules: schedule-keeper.ts). Each job is idempotent, so a retried or
 * repeated run does no harm: retention (retention.ts) deletes what is past its age, a checkpoint
 * is kept once per seq, and a signing key rotates only once it is old enough (the audit key
 * SIGNING_KEY_MAX_AGE_SECONDS, the principal key KEYWARD_PRINCIPAL_KEY_MAX_AGE_DAYS).
 */
@Processor(HOUSEKEEPING_QUEUE)
export class HousekeepingProcessor extends WorkerHost {
  constructor(
    private readonly enforceRetention: EnforceRetention,
    private readonly recordAuditCheckpoints: RecordAuditCheckpointsUseCase,
    private readonly keyRing: SigningKeyRing,
    private readonly principalKeys: PrincipalKeyRotation,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
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
      case PRINCIPAL_KEY_ROTATION:
        return this.jobMetrics.measure(
          PRINCIPAL_KEY_ROTATION,
          () => this.principalKeys.rotateIfOlderThan(this.config.principal.keyMaxAgeDays * 24 * 60 * 60),
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
