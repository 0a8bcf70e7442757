import { AuditModule } from '@keyward/audit';
import { KEYWARD_CONFIG } from '@keyward/platform';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createWebhookAddressResolver, WEBHOOK_ADDRESS_RESOLVER } from './dns-address-resolver';
import { ListWebhookDeliveriesUseCase } from './delivery/list-webhook-deliveries.use-case';
import { WebhookDeliveriesRepository } from './delivery/webhook-deliveries.repository';
import { CreateWebhookUseCase } from './use-cases/create-webhook.use-case';
import { DeleteWebhookUseCase } from './use-cases/delete-webhook.use-case';
import { ListWebhooksUseCase } from './use-cases/list-webhooks.use-case';
import { WebhookOutbox } from './outbox/webhook-outbox';
import { WebhookEntity } from './webhook.entity';
import { WebhooksRepository } from './webhooks.repository';

const USE_CASES = [CreateWebhookUseCase, ListWebhooksUseCase, DeleteWebhookUseCase, ListWebhookDeliveriesUseCase];

@Module({
  imports: [TypeOrmModule.forFeature([WebhookEntity]), AuditModule],
  providers: [
    WebhooksRepository,
    WebhookDeliveriesRepository,
    WebhookOutbox,
    { provide: WEBHOOK_ADDRESS_RESOLVER, inject: [KEYWARD_CONFIG], useFactory: createWebhookAddressResolver },
    ...USE_CASES,
  ],
  exports: [WebhookOutbox, ...USE_CASES],
})
export class WebhooksModule {}
