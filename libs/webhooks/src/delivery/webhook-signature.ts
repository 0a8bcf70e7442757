// Standard Webhooks signing (docs/api.md, Webhooks): the signed content is "<webhook-id>.<webhook-timestamp>.<body>",
// the key is the base64 part of the `whsec_` secret, decoded.
import { createHmac } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX } from '../domain/webhook-secret';

export interface SignedMessage {
  /** The delivery's message id, sent as `webhook-id`: the same on every retry. */
  readonly messageId: string;
  /** Unix seconds of this attempt, sent as `webhook-timestamp`. */
  readonly timestamp: number;
  /** The body exactly as sent. */
  readonly body: string;
}

/** The `webhook-signature` header value: `v1,` and the base64 HMAC-SHA256 of the signed content. */
export function signWebhook(secret: string, message: SignedMessage): string {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new Error('not a Standard Webhooks secret');
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  if (key.length === 0) throw new Error('not a Standard Webhooks secret');
  const signature = createHmac('sha256', key).update(`${message.messageId}.${message.timestamp}.${message.body}`, 'utf8').digest('base64');
  return `v1,${signature}`;
}

/** Every header of one delivery attempt. */
export function deliveryHeaders(secret: string, message: SignedMessage): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Keyward-Webhooks/1',
    'webhook-id': message.messageId,
    'webhook-timestamp': String(message.timestamp),
    'webhook-signature': signWebhook(secret, message),
  };
}
