import { randomBytes } from 'node:crypto';

/** Standard Webhooks' secret prefix; the base64 after it, decoded, is the HMAC-SHA256 key. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

const SECRET_BYTES = 32;

/** A new signing secret: `whsec_` and the base64 of 32 bytes from a CSPRNG (docs/api.md, Webhooks). */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** Associated data of a sealed secret: binds the ciphertext to its subscription row. */
export function webhookSecretAssociatedData(webhookId: string): string {
  return `webhook:${webhookId}`;
}
