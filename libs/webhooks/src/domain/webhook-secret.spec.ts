import { generateWebhookSecret, webhookSecretAssociatedData } from './webhook-secret';

describe('webhook signing secret', () => {
  it('is whsec_ and the base64 of 32 bytes, as Standard Webhooks libraries expect', () => {
    const secret = generateWebhookSecret();

    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
  });

  it('is different every time', () => {
    const secrets = new Set(Array.from({ length: 100 }, generateWebhookSecret));

    expect(secrets.size).toBe(100);
  });

  it('is sealed bound to its webhook', () => {
    expect(webhookSecretAssociatedData('0b7c8a9e-1f2d-4c3b-8a7e-6d5c4b3a2f10')).toBe('webhook:0b7c8a9e-1f2d-4c3b-8a7e-6d5c4b3a2f10');
  });
});
