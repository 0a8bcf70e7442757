// The verify service's limiter on the run's real Redis: the checks made in one turn of the event
// loop go to Redis as one batch, and each gets the answer it would have got alone.
import { type KeyCounters } from '@keyward/keys';
import { ChargePlans } from '../apps/verify/src/charge-plan';
import { Limiter } from '../apps/verify/src/limiter';
import { creditComponents, durableCredits, insertCreditedKey, type CreditComponents } from './support/credit-components';
import { testConfig } from './support/test-config';
import { verifiableKey } from './support/verifiable-key';
import { withV1RateLimit } from '@keyward/keys';

/** A key record with the v1 limit `limit` per `windowSeconds` (the limit named `key`). */
const windowedKey = (limit: number, windowSeconds: number) =>
  verifiableKey({ rateLimits: withV1RateLimit([], { limit, windowSeconds }), rateLimit: { limit, windowSeconds } });

describe('limiter (Redis)', () => {
  const config = testConfig();
  let parts: CreditComponents;
  let counters: KeyCounters;

  beforeAll(async () => {
    parts = await creditComponents(config, 'limiter-test');
    ({ counters } = parts);
  });

  afterAll(() => parts.close());

  it('sends the checks made in one turn as one batch, those of each key decided in the order they were made', async () => {
    const windowed = windowedKey(30, 3600);
    const credited = await insertCreditedKey(12);
    // Seeded before: the batches counted are the checks' own.
    await parts.check(credited, 1, false);
    const batches = jest.spyOn(counters, 'consumeBatch');
    try {
      const checks = [
        ...Array.from({ length: 40 }, () => parts.check(windowed)),
        ...Array.from({ length: 15 }, () => parts.check(credited)),
        parts.check(windowed, 1, false),
      ];
      const outcomes = await Promise.all(checks);
      // One batch: each counter once, each check one call.
      expect(batches.mock.calls.map(([batch]) => [batch.limits.length, batch.pools.length, batch.calls.length])).toEqual([[1, 1, 56]]);
      expect(outcomes.slice(0, 40).map((outcome) => outcome.verdict)).toEqual([
        ...Array(30).fill('VALID'),
        ...Array(10).fill('RATE_LIMITED'),
      ]);
      expect(outcomes.slice(0, 40).map((outcome) => outcome.limits![0].remaining)).toEqual([
        ...Array.from({ length: 30 }, (_, i) => 29 - i),
        ...Array(10).fill(0),
      ]);
      expect(outcomes.slice(40, 55).map((outcome) => [outcome.verdict, outcome.balances![0]])).toEqual([
        ...Array.from({ length: 12 }, (_, i) => ['VALID', 11 - i]),
        ...Array(3).fill(['USAGE_EXCEEDED', 0]),
      ]);
      expect(outcomes[55]).toMatchObject({ verdict: 'RATE_LIMITED', limits: [{ remaining: 0 }], fallback: false });

      // Checks made in a later turn go in a batch of their own.
      const later = await parts.check(credited);
      expect(later).toMatchObject({ verdict: 'USAGE_EXCEEDED', balances: [0] });
      expect(batches).toHaveBeenCalledTimes(2);
    } finally {
      batches.mockRestore();
    }
  });

  it('holds a small batch one more turn, so that the checks of the next turn join it, and a full one not at all', async () => {
    const windowed = windowedKey(1_000, 3600);
    const batches = jest.spyOn(counters, 'consumeBatch');
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    try {
      // 3 checks, then 4 more in the next turn (the check phase after the first's): one batch of 7.
      const first = Array.from({ length: 3 }, () => parts.check(windowed));
      await turn();
      const second = Array.from({ length: 4 }, () => parts.check(windowed));
      await Promise.all([...first, ...second]);
      expect(batches.mock.calls.map(([batch]) => batch.calls.length)).toEqual([7]);
      // Never more than one turn: checks two turns later go in a batch of their own.
      batches.mockClear();
      const early = parts.check(windowed);
      await turn();
      await turn();
      const late = parts.check(windowed);
      await Promise.all([early, late]);
      expect(batches.mock.calls.map(([batch]) => batch.calls.length)).toEqual([1, 1]);
      // 16 checks or more go at the end of their own turn: the next turn's make a batch of their own.
      batches.mockClear();
      const full = Array.from({ length: 16 }, () => parts.check(windowed));
      await turn();
      const next = parts.check(windowed);
      await Promise.all([...full, next]);
      expect(batches.mock.calls.map(([batch]) => batch.calls.length)).toEqual([16, 1]);
    } finally {
      batches.mockRestore();
    }
  });

  it('sends one batch per hash tag when Redis is a cluster (a script runs on one slot)', async () => {
    // Configured as a cluster, talking to the run's Redis: only the grouping differs.
    const clustered = new Limiter(counters, parts.seeder, parts.writeBack, parts.metrics, {
      ...config,
      redis: { mode: 'cluster', nodes: [], tls: false },
    });
    const keys = [await insertCreditedKey(5), await insertCreditedKey(5), windowedKey(1, 60)];
    for (const key of keys.slice(0, 2)) await parts.check(key, 1, false);
    const plans = new ChargePlans(counters);
    const batches = jest.spyOn(counters, 'consumeBatch');
    try {
      const outcomes = await Promise.all([...keys, ...keys].map((key) => clustered.check(plans.planFor(key, null, { key: '' })!, true)));
      expect(batches.mock.calls.map(([batch]) => [batch.tag, batch.calls.length])).toEqual(keys.map((key) => [key.counterTag, 2]));
      expect(outcomes.map((outcome) => outcome.verdict)).toEqual(['VALID', 'VALID', 'VALID', 'VALID', 'VALID', 'RATE_LIMITED']);
    } finally {
      batches.mockRestore();
    }
  });
});

describe('limiter (Redis) when Redis answers after the time-out', () => {
  const config = testConfig();
  let parts: CreditComponents;

  beforeAll(async () => {
    parts = await creditComponents(config, 'limiter-late-test');
  });

  afterAll(() => parts.close());

  it('gives back what Redis charged for verifications the fallback answered as refused', async () => {
    const key = await insertCreditedKey(10, {
      rateLimits: [
        { name: 'key', limit: 5, windowSeconds: 3600, algorithm: 'fixed', apply: 'always' },
        { name: 'slide', limit: 5, windowSeconds: 3600, algorithm: 'sliding', apply: 'always' },
      ],
    });
    const before = await parts.check(key, 1, false);
    expect(before).toMatchObject({ verdict: 'VALID', balances: [10], limits: [{ remaining: 5 }, { remaining: 5 }] });
    // The script runs in time, but its reply comes back after the limiter has stopped waiting (a slow link).
    const consumeBatch = parts.counters.consumeBatch.bind(parts.counters);
    let replied!: () => void;
    const late = new Promise<void>((resolve) => (replied = resolve));
    const slow = jest.spyOn(parts.counters, 'consumeBatch').mockImplementationOnce(async (batch) => {
      const result = await consumeBatch(batch);
      await new Promise((resolve) => setTimeout(resolve, 400));
      setImmediate(replied);
      return result;
    });
    try {
      const outcomes = await Promise.all([parts.check(key), parts.check(key)]);
      // VERIFY_LIMITS_ON_REDIS_DOWN=deny (the default): refused, so nothing may stay charged.
      expect(outcomes.map((outcome) => [outcome.verdict, outcome.fallback])).toEqual([
        ['RATE_LIMITED', true],
        ['RATE_LIMITED', true],
      ]);
      await late;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      slow.mockRestore();
    }
    expect(await parts.check(key, 1, false)).toMatchObject({
      verdict: 'VALID',
      balances: [10],
      limits: [{ remaining: 5 }, { remaining: 5 }],
    });
    await parts.writeBack.flush();
    expect((await durableCredits(key.id)).remaining).toBe(10);
  });
});
