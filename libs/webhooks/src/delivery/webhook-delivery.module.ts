import { KEYWARD_CONFIG, Metrics, type KeywardConfig } from '@keyward/platform';
import { Module } from '@nestjs/common';
import { createWebhookAddressResolver, WEBHOOK_ADDRESS_RESOLVER } from '../dns-address-resolver';
import { DeliverDueWebhooksUseCase } from './deliver-due-webhooks.use-case';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDeliveryMetrics } from './webhook-delivery-metrics';
import { WebhookSender } from './webhook-sender';

/** What the worker needs to deliver webhooks; its figures go on the process's metrics registry. */
@Module({
  providers: [
    WebhookDeliveriesRepository,
    {
      provide: WebhookSender,
      inject: [KEYWARD_CONFIG],
      useFactory: (config: KeywardConfig) => new WebhookSender({ loopbackOnly: config.webhookLoopbackOnly }),
    },
    { provide: WEBHOOK_ADDRESS_RESOLVER, inject: [KEYWARD_CONFIG], useFactory: createWebhookAddressResolver },
    {
      provide: WebhookDeliveryMetrics,
      inject: [Metrics, WebhookDeliveriesRepository],
      useFactory: (metrics: Metrics, deliveries: WebhookDeliveriesRepository) =>
        new WebhookDeliveryMetrics(metrics.registry, () => deliveries.backlog()),
    },
    DeliverDueWebhooksUseCase,
  ],
  exports: [DeliverDueWebhooksUseCase],
})
export class WebhookDeliveryModule {}
