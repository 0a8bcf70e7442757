/** The usage signals (docs/api.md, Usage signals): sent by the worker's `signals` job, each at most once an hour per key or owner. */
export const USAGE_SIGNAL_TYPES = ['key.credits_low', 'key.limit_near', 'key.rate_limited', 'key.usage_spike', 'key.new_source'] as const;

export type UsageSignalType = (typeof USAGE_SIGNAL_TYPES)[number];

/** The event types a webhook can subscribe to (docs/api.md, Webhooks). */
export const WEBHOOK_EVENT_TYPES = [
  'key.expiring',
  'key.expired',
  'key.rotated',
  'key.revoked',
  'key.unused',
  'key.leaked',
  ...USAGE_SIGNAL_TYPES,
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
