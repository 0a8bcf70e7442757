import {
  WEBHOOK_EVENT_TYPES,
  type CreatedWebhook,
  type Webhook,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  type WebhookEventType,
} from '@keyward/webhooks';
import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE } from '../openapi-examples';

export class WebhookResource {
  @ApiProperty({ format: 'uuid', example: EXAMPLE.webhookId }) id: string;
  @ApiProperty({
    format: 'uri',
    description: 'The URL as the WHATWG URL parser normalises it',
    example: 'https://hooks.example.com/keyward',
  })
  url: string;
  @ApiProperty({ type: [String], enum: WEBHOOK_EVENT_TYPES, example: ['key.expiring', 'key.revoked'] }) events: WebhookEventType[];
  @ApiProperty({ format: 'date-time', example: EXAMPLE.createdAt }) createdAt: string;
}

export class CreatedWebhookResource extends WebhookResource {
  @ApiProperty({
    description: 'The Standard Webhooks signing secret (whsec_ + base64 of 32 random bytes). It appears in this response only.',
    example: EXAMPLE.webhookSecret,
  })
  secret: string;
}

export class WebhookPage {
  @ApiProperty({ type: [WebhookResource] }) data: WebhookResource[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}

export function toWebhookResource(webhook: Webhook): WebhookResource {
  return { id: webhook.id, url: webhook.url, events: webhook.events, createdAt: webhook.createdAt.toISOString() };
}

export function toCreatedWebhookResource({ webhook, secret }: CreatedWebhook): CreatedWebhookResource {
  return { ...toWebhookResource(webhook), secret };
}

/** One event for this webhook and how its delivery went (docs/api.md, Webhooks). */
export class WebhookDeliveryResource {
  @ApiProperty({ format: 'uuid', example: EXAMPLE.deliveryId }) id: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, example: 'key.expiring' }) eventType: WebhookEventType;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'], description: 'failed: no 2xx answer within 24 hours of retries' })
  status: WebhookDeliveryStatus;
  @ApiProperty({ type: 'integer', description: 'Attempts made so far', minimum: 0, example: 1 }) attempts: number;
  @ApiProperty({ type: 'integer', nullable: true, description: "The receiver's status code on the last attempt; null before any answer" })
  lastStatusCode: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'URL refused: must not resolve to a non-public address (loopback)',
    description:
      'Why the last attempt failed (a status, a time-out, a connection failure, a refused URL); null before any attempt and after a success',
  })
  lastError: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it is tried next; null once succeeded or failed' })
  nextAttemptAt: string | null;
}

export class WebhookDeliveryPage {
  @ApiProperty({ type: [WebhookDeliveryResource] }) data: WebhookDeliveryResource[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}

export function toWebhookDeliveryResource(delivery: WebhookDelivery): WebhookDeliveryResource {
  return {
    id: delivery.id,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
  };
}
