import { AuditAppender } from '@keyward/audit';
import { KEYWARD_CONFIG, SecretBox, TenantTransactions, type ChangeContext, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { WEBHOOK_ADDRESS_RESOLVER } from '../dns-address-resolver';
import type { CreatedWebhook } from '../domain/webhook';
import type { WebhookEventType } from '../domain/webhook-events';
import { generateWebhookSecret, webhookSecretAssociatedData } from '../domain/webhook-secret';
import { checkWebhookUrl, type AddressResolver } from '../domain/webhook-url';
import { WebhooksRepository } from '../webhooks.repository';

export interface CreateWebhookCommand {
  tenantId: string;
  url: string;
  events: WebhookEventType[];
  change: ChangeContext;
}

/**
 * Subscribes a URL to event types. The signing secret is returned once; it is kept sealed with
 * the encryption key because deliveries must sign with it, and the audit event never holds it.
 */
@Injectable()
export class CreateWebhookUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly webhooks: WebhooksRepository,
    private readonly secretBox: SecretBox,
    private readonly audit: AuditAppender,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    @Inject(WEBHOOK_ADDRESS_RESOLVER) private readonly resolveAddresses: AddressResolver,
  ) {}

  async execute(command: CreateWebhookCommand): Promise<CreatedWebhook> {
    // Resolved before the transaction opens: a slow DNS answer must not hold a connection.
    const url = await checkWebhookUrl(
      command.url,
      { allowHttp: this.config.webhookAllowHttp, allowPrivate: this.config.webhookAllowPrivate },
      this.resolveAddresses,
    );
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const sealedSecret = this.secretBox.seal(Buffer.from(secret, 'utf8'), webhookSecretAssociatedData(id));
    return this.transactions.run(command.tenantId, async (tx) => {
      const webhook = await this.webhooks.insert(tx, { id, url: url.href, events: command.events, sealedSecret });
      await this.audit.append(tx, command.change, {
        action: 'webhook.created',
        target: { type: 'webhook', id: webhook.id },
        details: { url: webhook.url, events: webhook.events },
      });
      return { webhook, secret };
    });
  }
}
