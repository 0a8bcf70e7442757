import { WEBHOOK_DELIVERY_QUEUE } from '@keyward/jobs';
import { ConnectionStateLog, isDatabaseUnavailableError } from '@keyward/platform';
import { DeliverDueWebhooksUseCase, type DeliveryPassReport } from '@keyward/webhooks';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { BullConnectionLog } from './bull-connection-log';
import { JobMetrics } from './job-metrics';
import { DELIVERY_PASS } from './schedule-keeper';

/**
 * Runs delivery passes, one a second (their schedule: schedule-keeper.ts). Several at once (here
 * or in other workers) are safe, as each claims its deliveries; a pass held up by slow receivers
 * then does not hold up the next one.
 */
@Processor(WEBHOOK_DELIVERY_QUEUE, { concurrency: 4 })
export class WebhookDeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  private readonly database = new ConnectionStateLog(this.logger, 'PostgreSQL (webhook delivery)');

  constructor(
    private readonly deliverDueWebhooks: DeliverDueWebhooksUseCase,
    private readonly jobMetrics: JobMetrics,
    private readonly connectionLog: BullConnectionLog,
  ) {
    super();
  }

  /** Never throws: a failed pass is logged, and the next one, a second later, tries again. */
  async process(job: Job): Promise<DeliveryPassReport | null> {
    if (job.name !== DELIVERY_PASS) {
      this.logger.warn({ jobName: job.name }, 'Unknown job on the webhooks queue, skipped');
      return null;
    }
    try {
      const report = await this.jobMetrics.measure(WEBHOOK_DELIVERY_QUEUE, () => this.deliverDueWebhooks.execute());
      this.database.recovered();
      return report;
    } catch (error) {
      // PostgreSQL away fails every pass, one a second: a line when it starts and one when it ends.
      if (isDatabaseUnavailableError(error))
        this.database.failed(error, 'webhook delivery passes fail until it answers; deliveries wait in PostgreSQL');
      else this.logger.error({ err: error }, 'Webhook delivery pass failed');
      return null;
    }
  }

  /** A worker's connection errors (Redis restarting, shutdown) are logged once per outage, never left unhandled. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.connectionLog.error(error, 'webhook delivery worker');
  }

  @OnWorkerEvent('ready')
  onReady(): void {
    this.connectionLog.ready();
  }
}
