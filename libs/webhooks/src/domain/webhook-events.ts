/** The event types a webhook can subscribe to (docs/api.md, Webhooks). */
export const WEBHOOK_EVENT_TYPES = ['key.expiring', 'key.expired', 'key.rotated', 'key.revoked', 'key.unused', 'key.leaked'] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
