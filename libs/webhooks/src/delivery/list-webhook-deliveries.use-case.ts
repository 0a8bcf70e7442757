import { TenantTransactions, type Page } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { WebhookNotFoundError } from '../domain/webhook';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import type { WebhookDelivery } from './webhook-delivery';

/** The delivery log of one of the tenant's webhooks, oldest first; another tenant's is not found. */
@Injectable()
export class ListWebhookDeliveriesUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {}

  execute(query: { tenantId: string; webhookId: string; limit: number; cursor?: string }): Promise<Page<WebhookDelivery>> {
    return this.transactions.run(query.tenantId, async (tx) => {
      if (!(await this.deliveries.subscriptionExists(tx, query.webhookId))) throw new WebhookNotFoundError();
      return this.deliveries.listForSubscription(tx, query.webhookId, query.limit, query.cursor);
    });
  }
}
