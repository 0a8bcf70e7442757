import { WEBHOOK_EVENT_TYPES, type CreatedWebhook, type Webhook, type WebhookEventType } from '@keyward/webhooks';
import { ApiProperty } from '@nestjs/swagger';

export class WebhookResource {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uri', description: 'The URL as the WHATWG URL parser normalises it' }) url: string;
  @ApiProperty({ type: [String], enum: WEBHOOK_EVENT_TYPES }) events: WebhookEventType[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedWebhookResource extends WebhookResource {
  @ApiProperty({ description: 'The Standard Webhooks signing secret (whsec_ + base64 of 32 random bytes). It appears in this response only.' })
  secret: string;
}

export class WebhookPage {
  @ApiProperty({ type: [WebhookResource] }) data: WebhookResource[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export function toWebhookResource(webhook: Webhook): WebhookResource {
  return { id: webhook.id, url: webhook.url, events: webhook.events, createdAt: webhook.createdAt.toISOString() };
}

export function toCreatedWebhookResource({ webhook, secret }: CreatedWebhook): CreatedWebhookResource {
  return { ...toWebhookResource(webhook), secret };
}
