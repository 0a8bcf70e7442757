import { createHmac } from 'node:crypto';
import { deliveryHeaders, signWebhook } from './webhook-signature';

// The example of the Standard Webhooks specification (its reference libraries' test vector).
const SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEC_MESSAGE = { messageId: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' };

describe('webhook signature', () => {
  it("matches the Standard Webhooks specification's example", () => {
    expect(signWebhook(SPEC_SECRET, SPEC_MESSAGE)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('is keyed with the decoded base64 part of the secret over "id.timestamp.body"', () => {
    const key = Buffer.alloc(32, 7);
    const message = { messageId: 'msg_1', timestamp: 1700000000, body: '{"type":"key.revoked","data":{"name":"é"}}' };

    const expected = createHmac('sha256', key).update(`msg_1.1700000000.${message.body}`).digest('base64');
    expect(signWebhook(`whsec_${key.toString('base64')}`, message)).toBe(`v1,${expected}`);
  });

  it.each(['', 'whsec_', 'sk_not-a-webhook-secret'])('refuses %p as a secret', (secret) => {
    expect(() => signWebhook(secret, SPEC_MESSAGE)).toThrow('not a Standard Webhooks secret');
  });

  it('sends the id, the timestamp in seconds, the signature and a JSON content type', () => {
    expect(deliveryHeaders(SPEC_SECRET, SPEC_MESSAGE)).toEqual({
      'content-type': 'application/json',
      'user-agent': 'Keyward-Webhooks/1',
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });
});
