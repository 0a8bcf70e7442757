import { AuditAppender } from '@keyward/audit';
import { TenantTransactions, type ChangeContext } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { WebhookNotFoundError, type Webhook } from '../domain/webhook';
import { WebhooksRepository } from '../webhooks.repository';

export interface DeleteWebhookCommand {
  tenantId: string;
  webhookId: string;
  change: ChangeContext;
}

/** Deletes a webhook of the tenant; one it does not have, another tenant's included, is not found. */
@Injectable()
export class DeleteWebhookUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly webhooks: WebhooksRepository,
    private readonly audit: AuditAppender,
  ) {}

  async execute(command: DeleteWebhookCommand): Promise<Webhook> {
    const deleted = await this.transactions.run(command.tenantId, async (tx) => {
      const webhook = await this.webhooks.delete(tx, command.webhookId);
      if (webhook) {
        await this.audit.append(tx, command.change, {
          action: 'webhook.deleted',
          target: { type: 'webhook', id: webhook.id },
          details: { url: webhook.url, events: webhook.events },
        });
      }
      return webhook;
    });
    if (!deleted) throw new WebhookNotFoundError();
    return deleted;
  }
}
