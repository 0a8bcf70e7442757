import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { ExpiryProcessor } from './expiry.processor';
import { HousekeepingProcessor } from './housekeeping.processor';
import { RotationProcessor } from './rotation.processor';
import { SignalsProcessor } from './signals.processor';
import { UnusedAuditProcessor } from './unused-audit.processor';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';

/**
 * A graceful stop finishes the jobs in flight before anything they use closes. @nestjs/bullmq
 * closes its workers in an onApplicationShutdown hook, which runs in no set order with the one
 * that closes the database pool: a run could lose its connections half-way. Closing the workers
 * here, before every onApplicationShutdown hook, takes no new job and waits for the active ones
 * (BullMQ's close() is idempotent: the later call finds them closed). A job the grace period
 * cuts off keeps its lock until the lock expires; another worker then takes it up again
 * (BullMQ's stalled-job check), and every run is idempotent.
 */
@Injectable()
export class JobDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger(JobDrain.name);

  constructor(
    private readonly rotation: RotationProcessor,
    private readonly expiry: ExpiryProcessor,
    private readonly unusedAudit: UnusedAuditProcessor,
    private readonly signals: SignalsProcessor,
    private readonly webhookDelivery: WebhookDeliveryProcessor,
    private readonly housekeeping: HousekeepingProcessor,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    this.logger.log('Stopping: taking no new job, finishing the jobs in flight');
    const processors = [this.rotation, this.expiry, this.unusedAudit, this.signals, this.webhookDelivery, this.housekeeping];
    await Promise.all(processors.map((processor) => processor.worker.close()));
  }
}
