import { TenantTransactions, type Page } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { Webhook } from '../domain/webhook';
import { WebhooksRepository } from '../webhooks.repository';

/** The tenant's webhooks, oldest first, without their secrets. */
@Injectable()
export class ListWebhooksUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly webhooks: WebhooksRepository,
  ) {}

  execute(query: { tenantId: string; limit: number; cursor?: string }): Promise<Page<Webhook>> {
    return this.transactions.run(query.tenantId, (tx) => this.webhooks.list(tx, query.limit, query.cursor));
  }
}
