import type { VerifiableKey } from '@keyward/keys';
import { verifiableKey } from '../../../test/support/verifiable-key';
import type { LimitOutcome } from './limiter';
import { ValidAnswer, describeAnswer } from './verify-answer';

const BASE = verifiableKey({ id: '6f1c2a9e-0000-4000-8000-000000000001' });

const KEYS: Array<[string, VerifiableKey]> = [
  ['a bare key', BASE],
  [
    'a key with every field, and JSON that needs escaping',
    {
      ...BASE,
      ownerId: 'user "42" \\ ü',
      environment: 'test',
      scopes: ['reports:*', 'billing:read'],
      meta: { plan: 'pro', nested: { list: [1, 'two', null], quote: '"\n\u2028' }, emoji: '🔑' },
      expiresAt: Date.UTC(2027, 0, 2, 3, 4, 5, 6),
    },
  ],
  ['a key with a window', { ...BASE, rateLimit: { limit: 50, windowSeconds: 60 } }],
  ['a key with credits', { ...BASE, remaining: 1_000_000_000_000, creditsVersion: 4 }],
  [
    'a key with both',
    { ...BASE, meta: { tier: 1 }, rateLimit: { limit: 1_000_000_000, windowSeconds: 3600 }, remaining: 40, creditsVersion: 2 },
  ],
];

const window = (remaining: number, resetAt: number, resetInMs: number, balance: number | null): LimitOutcome => ({
  verdict: 'VALID',
  windowRemaining: remaining,
  windowResetAt: resetAt,
  windowResetInMs: resetInMs,
  balance,
  fallback: false,
});

const LIMITS: Array<[string, LimitOutcome]> = [
  ['counters with a window and a balance', window(49, Date.UTC(2026, 10, 23, 15), 2_500, 39)],
  ['the next window (a new reset time)', window(0, Date.UTC(2026, 10, 23, 16), 59_001, 0)],
  ['a window without credits', window(7, Date.UTC(2026, 10, 23, 16), 1, null)],
  [
    'credits alone',
    { verdict: 'VALID', windowRemaining: null, windowResetAt: null, windowResetInMs: null, balance: 999_999_999_999, fallback: false },
  ],
  [
    'the fallback of an unreachable Redis',
    { verdict: 'VALID', windowRemaining: null, windowResetAt: null, windowResetInMs: null, balance: null, fallback: true },
  ],
];

describe('VALID answers', () => {
  it.each(KEYS)('equal the described answer serialized, for %s without limits', (_, key) => {
    const expected = describeAnswer(key, 'VALID', null);
    expect(new ValidAnswer(key).unlimited).toEqual({ json: JSON.stringify(expected.body), headers: expected.headers, code: 'VALID', key });
  });

  it.each(KEYS)('equal the described answer serialized, for %s with every kind of counters, in turn', (_, key) => {
    // One instance answers them all in a row, as it does for a cached key, window after window.
    const answers = new ValidAnswer(key);
    for (const [what, limits] of [...LIMITS, ...LIMITS]) {
      const expected = describeAnswer(key, 'VALID', limits);
      const actual = answers.withLimits(limits);
      expect({ what, ...actual }).toEqual({ what, json: JSON.stringify(expected.body), headers: expected.headers, code: 'VALID', key });
      expect(JSON.parse(actual.json)).toEqual(JSON.parse(JSON.stringify(expected.body)));
    }
  });
});
