import { KeyCounters, withV1RateLimit, type LimitState, type VerifiableKey, type VerifiableOwner } from '@keyward/keys';
import { testConfig } from '../../../test/support/test-config';
import { verifiableKey } from '../../../test/support/verifiable-key';
import { ChargePlans } from './charge-plan';
import type { LimitOutcome } from './limiter';
import { ValidAnswer, describeAnswer } from './verify-answer';

const BASE = verifiableKey({ id: '6f1c2a9e-0000-4000-8000-000000000001' });
const OWNER: VerifiableOwner = {
  id: '6f1c2a9e-0000-4000-8000-000000000002',
  tenantId: BASE.tenantId,
  ownerId: 'cus_42',
  name: 'Acme "Corp"',
  meta: { tier: 'gold' },
  rateLimits: [{ name: 'burst', limit: 100, windowSeconds: 1, algorithm: 'sliding', apply: 'always' }],
  remaining: 500,
  creditsVersion: 1,
  creditsRefill: null,
};

const KEYS: Array<[string, VerifiableKey, VerifiableOwner | null]> = [
  ['a bare key', BASE, null],
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
    null,
  ],
  [
    'a key with a window',
    { ...BASE, rateLimits: withV1RateLimit([], { limit: 50, windowSeconds: 60 }), rateLimit: { limit: 50, windowSeconds: 60 } },
    null,
  ],
  ['a key with credits', { ...BASE, remaining: 1_000_000_000_000, creditsVersion: 4 }, null],
  [
    'a key with both, and an owner with a limit and credits',
    {
      ...BASE,
      ownerId: 'cus_42',
      meta: { tier: 1 },
      rateLimits: [
        { name: 'key', limit: 1_000_000_000, windowSeconds: 3600, algorithm: 'fixed', apply: 'always' },
        { name: 'daily', limit: 50, windowSeconds: 86_400, algorithm: 'sliding', apply: 'always' },
      ],
      rateLimit: { limit: 1_000_000_000, windowSeconds: 3600 },
      remaining: 40,
      creditsVersion: 2,
    },
    OWNER,
  ],
];

const plans = new ChargePlans(new KeyCounters({ defineCommand: () => undefined } as never, testConfig()));

/** Counters as the limiter reports them for `key`'s plan, made from `states` (cycled) and `balances`. */
function outcome(key: VerifiableKey, owner: VerifiableOwner | null, states: LimitState[], balances: number[] | null): LimitOutcome {
  const plan = plans.planFor(key, owner, { key: '' })!;
  return {
    verdict: 'VALID',
    plan,
    limits: balances === null ? null : plan.limits.map((_, i) => states[i % states.length]),
    balances: balances === null ? null : plan.pools.map((_, i) => balances[i % balances.length]),
    fallback: balances === null,
    replayed: false,
  };
}

const STATES: Array<[string, LimitState[], number[] | null]> = [
  [
    'counters with windows and balances',
    [{ remaining: 49, resetAt: Date.UTC(2026, 10, 23, 15), resetInMs: 2_500, exceeded: false }],
    [39, 7],
  ],
  ['the next window (a new reset time)', [{ remaining: 0, resetAt: Date.UTC(2026, 10, 23, 16), resetInMs: 59_001, exceeded: false }], [0]],
  [
    'several limits in different states',
    [
      { remaining: 7, resetAt: Date.UTC(2026, 10, 23, 16), resetInMs: 1, exceeded: false },
      { remaining: 3, resetAt: Date.UTC(2026, 10, 23, 16, 0, 1, 234), resetInMs: 1_234, exceeded: false },
    ],
    [999_999_999_999, 1],
  ],
  ['the fallback of an unreachable Redis', [], null],
];

describe('VALID answers', () => {
  it.each(KEYS)('equal the described answer serialized, for %s without limits', (_, key, owner) => {
    const expected = describeAnswer(key, owner, 'VALID', null);
    expect(new ValidAnswer(key, owner).unlimited).toEqual({
      json: JSON.stringify(expected.body),
      headers: expected.headers,
      code: 'VALID',
      key,
    });
  });

  it.each(KEYS.filter(([, key, owner]) => plans.planFor(key, owner, { key: '' }) !== null))(
    'equal the described answer serialized, for %s with every kind of counters, in turn',
    (_, key, owner) => {
      // One instance answers them all in a row, as it does for a cached key, window after window.
      const answers = new ValidAnswer(key, owner);
      for (const [what, states, balances] of [...STATES, ...STATES]) {
        const limits = outcome(key, owner, states, balances);
        const expected = describeAnswer(key, owner, 'VALID', limits);
        const actual = answers.withLimits(limits);
        expect({ what, ...actual }).toEqual({ what, json: JSON.stringify(expected.body), headers: expected.headers, code: 'VALID', key });
        expect(JSON.parse(actual.json)).toEqual(JSON.parse(JSON.stringify(expected.body)));
      }
    },
  );
});

describe('answers with several limits', () => {
  const [, key, owner] = KEYS[4];

  it('list every applied limit, the owner’s prefixed in the RateLimit headers, and the v1 fields beside them', () => {
    const limits = outcome(
      key,
      owner,
      [
        { remaining: 10, resetAt: Date.UTC(2026, 0, 1, 1), resetInMs: 1_500, exceeded: false },
        { remaining: 0, resetAt: Date.UTC(2026, 0, 2), resetInMs: 7_200_000, exceeded: true },
        { remaining: 0, resetAt: Date.UTC(2026, 0, 1, 0, 0, 1), resetInMs: 400, exceeded: true },
      ],
      [40, 500],
    );
    const { body, headers } = describeAnswer(key, owner, 'RATE_LIMITED', { ...limits, verdict: 'RATE_LIMITED' });
    expect(headers).toEqual({
      'ratelimit-policy': '"key";q=1000000000;w=3600, "daily";q=50;w=86400, "owner-burst";q=100;w=1',
      ratelimit: '"key";r=10;t=2, "daily";r=0;t=7200, "owner-burst";r=0;t=1',
      // The longest wait among the exceeded limits.
      'retry-after': '7200',
    });
    expect(body).toMatchObject({
      code: 'RATE_LIMITED',
      remaining: 40,
      credits: { remaining: 40, ownerRemaining: 500 },
      rateLimit: { limit: 1_000_000_000, remaining: 10, resetAt: '2026-01-01T01:00:00.000Z' },
      rateLimits: [
        { name: 'key', scope: 'key', limit: 1_000_000_000, remaining: 10, resetAt: '2026-01-01T01:00:00.000Z', exceeded: false },
        { name: 'daily', scope: 'key', limit: 50, remaining: 0, resetAt: '2026-01-02T00:00:00.000Z', exceeded: true },
        { name: 'burst', scope: 'owner', limit: 100, remaining: 0, resetAt: '2026-01-01T00:00:01.000Z', exceeded: true },
      ],
    });
    // Only a VALID answer shows the key's owner.
    expect(body).not.toHaveProperty('owner');
    expect(describeAnswer(key, owner, 'VALID', limits).body).toMatchObject({
      name: key.name,
      owner: { ownerId: 'cus_42', name: 'Acme "Corp"', meta: { tier: 'gold' } },
    });
  });

  it('names an on-request limit only when the request does, with its own cost', () => {
    const onRequest = {
      ...key,
      rateLimits: [
        ...key.rateLimits,
        { name: 'export', limit: 5, windowSeconds: 60, algorithm: 'fixed' as const, apply: 'on-request' as const },
      ],
    };
    expect(plans.planFor(onRequest, null, { key: '' })!.limits.map((l) => l.name)).toEqual(['key', 'daily']);
    const plan = plans.planFor(onRequest, owner, { key: '', cost: 2, rateLimits: [{ name: 'export', cost: 3 }, { name: 'burst' }] })!;
    expect(plan.limits.map((l) => [l.scope, l.name])).toEqual([
      ['key', 'key'],
      ['key', 'daily'],
      ['key', 'export'],
      ['owner', 'burst'],
    ]);
    expect(plan.limitCosts).toEqual([
      [0, 2],
      [1, 2],
      [2, 3],
      [3, 2],
    ]);
    expect(plan.poolCosts).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(() => plans.planFor(onRequest, owner, { key: '', rateLimits: [{ name: 'nope' }] })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', fieldErrors: [{ field: 'rateLimits[0].name', message: expect.any(String) }] }),
    );
  });
});
