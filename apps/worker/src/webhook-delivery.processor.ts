import { WEBHOOK_DELIVERY_QUEUE } from '@keyward/jobs';
import { DeliverDueWebhooksUseCase, type DeliveryPassReport } from '@keyward/webhooks';
import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { JobMetrics } from './job-metrics';

const DELIVERY_PASS = 'deliver-due';
/** How often a pass looks for due deliveries; a first retry is due 15 s after a failure. */
const DELIVERY_PASS_EVERY_MS = 1000;

/**
 * Runs delivery passes. Several at once (here or in other workers) are safe, as each claims its
 * deliveries; a pass held up by slow receivers then does not hold up the next one.
 */
@Processor(WEBHOOK_DELIVERY_QUEUE, { concurrency: 4 })
export class WebhookDeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

  constructor(
    private readonly deliverDueWebhooks: DeliverDueWebhooksUseCase,
    private readonly jobMetrics: JobMetrics,
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
      return await this.jobMetrics.measure(WEBHOOK_DELIVERY_QUEUE, () => this.deliverDueWebhooks.execute());
    } catch (error) {
      this.logger.error({ err: error }, 'Webhook delivery pass failed');
      return null;
    }
  }

  /** A worker's connection errors (Redis restarting, shutdown) are logged, never left unhandled. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, 'Webhook delivery worker error');
  }
}

/** The pass on BullMQ's job scheduler: however many workers upsert it, each period runs once. */
@Injectable()
export class WebhookDeliverySchedule implements OnApplicationBootstrap {
  constructor(@InjectQueue(WEBHOOK_DELIVERY_QUEUE) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(DELIVERY_PASS, { every: DELIVERY_PASS_EVERY_MS }, { name: DELIVERY_PASS, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }
}
