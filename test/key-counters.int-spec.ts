// The shared counters of keys and owners (named limits, fixed and sliding, and credit pools), on the
// run's real Redis: what the script charges, that a call is charged everywhere or nowhere, exact
// sliding logs, refills at period boundaries (with the script's clock injected), and that a
// duplicated, retried or late call charges nothing more.
import {
  KeyCounters,
  refillPeriod,
  type CallResult,
  type ConsumeBatch,
  type CreditRefill,
  type LimitSpec,
  type PoolRef,
  type PoolSpec,
} from '@keyward/keys';
import { createRedisConnection, type RedisClient } from '@keyward/platform';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { testConfig } from './support/test-config';

describe('key counters (Redis)', () => {
  const config = testConfig();
  let redis: RedisClient;
  let counters: KeyCounters;

  beforeAll(async () => {
    redis = createRedisConnection(config.redis, 'key-counters-test');
    counters = new KeyCounters(redis, config);
    // The connection refuses commands until it is up (no offline queue).
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  });

  afterAll(() => redis.quit());

  let seeds = 0;
  /** A tag of its own per test subject, and specs of its counters. */
  const subject = () => {
    const tag = randomUUID();
    const keyId = randomUUID();
    const limit = (
      name: string,
      limit: number,
      windowSeconds: number,
      algorithm: 'fixed' | 'sliding' = 'fixed',
      owner = false,
    ): LimitSpec => ({
      counter: counters.limitKey(tag, owner ? null : keyId, name, algorithm),
      algorithm,
      limit,
      windowSeconds,
    });
    const pool = (kind: PoolRef['kind'] = 'key', version = 1, refill: CreditRefill | null = null): PoolSpec => {
      const ref = { kind, id: kind === 'key' ? keyId : randomUUID() };
      return { pool: ref, counter: counters.poolKey(tag, ref), version, refill };
    };
    const seed = (spec: PoolSpec, balance: number, period = -1) =>
      counters.seedCredits(tag, spec.pool, { balance, version: spec.version, seed: ++seeds, period });
    return { tag, keyId, limit, pool, seed };
  };

  interface Call {
    cost?: number;
    consume?: boolean;
    idempotency?: { record: string; requestHash: string };
  }
  /** One batch of calls, each applying every limit and pool given, with its cost. */
  const batch = (
    tag: string,
    limits: LimitSpec[],
    pools: PoolSpec[],
    calls: Call[],
    options: Partial<Pick<ConsumeBatch, 'now' | 'deadline' | 'operationId'>> = {},
  ): ConsumeBatch => ({
    operationId: options.operationId ?? randomUUID(),
    tag,
    now: options.now,
    deadline: options.deadline,
    limits,
    pools,
    calls: calls.map(({ cost = 1, consume = true, idempotency }) => ({
      consume,
      idempotency,
      limits: limits.map((_, i): [number, number] => [i, cost]),
      pools: pools.map((_, i): [number, number] => [i, cost]),
    })),
  });
  const run = async (...args: Parameters<typeof batch>): Promise<CallResult[]> => (await counters.consumeBatch(batch(...args))).calls;
  const summary = (results: CallResult[]) =>
    results.map(({ verdict, limits, balances }) => [verdict, ...limits.map((l) => l.remaining), ...balances]);

  it('charges every limit and pool of a VALID call, and nothing anywhere for a refused one', async () => {
    const { tag, limit, pool, seed } = subject();
    const keyLimit = limit('key', 3, 3600);
    const ownerLimit = limit('burst', 100, 3600, 'fixed', true);
    const keyPool = pool('key');
    const ownerPool = pool('owner');
    await seed(keyPool, 10);
    await seed(ownerPool, 2);
    const results = await run(tag, [keyLimit, ownerLimit], [keyPool, ownerPool], [{}, {}, {}, {}]);
    expect(summary(results)).toEqual([
      ['VALID', 2, 99, 9, 1],
      ['VALID', 1, 98, 8, 0],
      // The owner's credits are spent: nothing else is charged either.
      ['USAGE_EXCEEDED', 1, 98, 8, 0],
      ['USAGE_EXCEEDED', 1, 98, 8, 0],
    ]);
    // Refused by the key's limit: neither pool is charged.
    await counters.setCredits(tag, ownerPool.pool, 50, { version: 2, seed: 1, period: -1 });
    const more = await run(tag, [keyLimit, ownerLimit], [keyPool, { ...ownerPool, version: 2 }], [{}, {}]);
    expect(summary(more)).toEqual([
      ['VALID', 0, 97, 7, 49],
      ['RATE_LIMITED', 0, 97, 7, 49],
    ]);
    expect(more[1].limits.map((l) => l.exceeded)).toEqual([true, false]);
    const resetAt = more[0].limits[0].resetAt;
    expect(resetAt % 3_600_000).toBe(0);
    expect(more[0].limits[0].resetInMs).toBeGreaterThan(0);
    // The window's hash lives until just after the window ends, set when the window began.
    const ttl = await redis.pttl(keyLimit.counter);
    expect(ttl).toBeLessThanOrEqual(more[0].limits[0].resetInMs + 1_000);
    expect(ttl).toBeGreaterThan(more[0].limits[0].resetInMs - 5_000);
  });

  it('keeps one state per counter when a batch names it twice (an owner limit and pool in the plans of two keys)', async () => {
    const { tag, limit, pool, seed } = subject();
    const shared = limit('shared', 3, 3600, 'fixed', true);
    const slide = limit('slide', 3, 3600, 'sliding', true);
    const credits = pool('owner');
    await seed(credits, 10);
    const twice = <T extends object>(spec: T): [T, T] => [spec, { ...spec }];
    const [sharedA, sharedB] = twice(shared);
    const [slideA, slideB] = twice(slide);
    const [creditsA, creditsB] = twice(credits);
    const result = await counters.consumeBatch({
      operationId: randomUUID(),
      tag,
      limits: [sharedA, slideA, sharedB, slideB],
      pools: [creditsA, creditsB],
      calls: [0, 2, 0, 2].map((offset, i) => ({
        consume: true,
        limits: [
          [offset, 1],
          [offset + 1, 1],
        ],
        pools: [[i % 2, 1]],
      })),
    });
    expect(summary(result.calls)).toEqual([
      ['VALID', 2, 2, 9],
      ['VALID', 1, 1, 8],
      ['VALID', 0, 0, 7],
      ['RATE_LIMITED', 0, 0, 7],
    ]);
    expect(await counters.readCredits(tag, credits.pool)).toMatchObject({ balance: 7 });
    expect(await redis.hget(shared.counter, 'n')).toBe('3');
    expect(await redis.zcard(slide.counter)).toBe(3);
  });

  it('refuses a cost larger than the balance, charges nothing then, and charges the whole cost when it fits', async () => {
    const { tag, pool, seed } = subject();
    const credits = pool();
    await seed(credits, 5);
    expect(summary(await run(tag, [], [credits], [{ cost: 3 }, { cost: 3 }, { cost: 2 }, { cost: 1 }]))).toEqual([
      ['VALID', 2],
      ['USAGE_EXCEEDED', 2],
      ['VALID', 0],
      ['USAGE_EXCEEDED', 0],
    ]);
  });

  it('keeps a sliding log exact: no interval of the window holds more than the limit, with no burst at a window edge', async () => {
    const { tag, limit } = subject();
    const sliding = limit('sliding', 5, 2, 'sliding');
    const start = Date.now();
    const valid: number[] = [];
    // Calls at random moments over 10 s of the script's clock (injected), several per moment.
    const moments = fc.sample(fc.integer({ min: 0, max: 10_000 }), { numRuns: 300, seed: 7 }).sort((a, b) => a - b);
    for (const at of moments) {
      const [result] = await run(tag, [sliding], [], [{}], { now: start + at });
      if (result.verdict === 'VALID') valid.push(at);
      else {
        expect(result.verdict).toBe('RATE_LIMITED');
        expect(result.limits[0]).toMatchObject({ remaining: 0, exceeded: true });
        expect(result.limits[0].resetAt).toBeGreaterThan(start + at);
      }
    }
    for (let i = 0; i + 5 < valid.length; i++) expect(valid[i + 5] - valid[i]).toBeGreaterThanOrEqual(2_000);
    // And it is not merely strict: after a quiet window all 5 are available again.
    const quiet = start + 20_000;
    expect(summary(await run(tag, [sliding], [], [{}, {}, {}, {}, {}, {}], { now: quiet })).map(([v]) => v)).toEqual([
      ...Array(5).fill('VALID'),
      'RATE_LIMITED',
    ]);
    // Room returns when the oldest entry leaves: exactly one more, 2 s after the first.
    const [next] = await run(tag, [sliding], [], [{}], { now: quiet + 2_001 });
    expect(next.verdict).toBe('VALID');
    expect(await redis.zcard(sliding.counter)).toBeLessThanOrEqual(5);
  });

  it('refills a balance at the period boundary by setting it (not adding), once, and not before', async () => {
    const { tag, pool, seed } = subject();
    const refill: CreditRefill = { interval: 'daily', amount: 100, dayOfMonth: null };
    const credits = pool('key', 1, refill);
    const day = Date.UTC(2027, 2, 10);
    await seed(credits, 30, refillPeriod(refill, day));
    const before = await run(tag, [], [credits], [{ cost: 5 }], { now: day + 86_400_000 - 1 });
    expect(summary(before)).toEqual([['VALID', 25]]);
    // The first call after midnight finds the balance set to 100, and is charged from it.
    const after = await run(tag, [], [credits], [{ cost: 5 }, {}], { now: day + 86_400_000 });
    expect(summary(after)).toEqual([
      ['VALID', 95],
      ['VALID', 94],
    ]);
    // Later calls of the same day do not refill again.
    expect(summary(await run(tag, [], [credits], [{}], { now: day + 2 * 86_400_000 - 1 }))).toEqual([['VALID', 93]]);
    expect(await counters.readCredits(tag, credits.pool)).toMatchObject({ balance: 93, period: refillPeriod(refill, day + 86_400_000) });
    // A read (not consuming) is enough to apply a due refill.
    expect(summary(await run(tag, [], [credits], [{ consume: false }], { now: day + 3 * 86_400_000 }))).toEqual([['VALID', 100]]);
  });

  it('refills exactly once when two processes race across the boundary', async () => {
    const other = createRedisConnection(config.redis, 'key-counters-other');
    if (other.status !== 'ready') await new Promise((resolve) => other.once('ready', resolve));
    const second = new KeyCounters(other, config);
    try {
      const { tag, pool, seed } = subject();
      const refill: CreditRefill = { interval: 'daily', amount: 50, dayOfMonth: null };
      const credits = pool('key', 1, refill);
      const midnight = Date.UTC(2027, 5, 1);
      await seed(credits, 3, refillPeriod(refill, midnight - 1));
      const from = (i: number) => (i % 2 === 0 ? counters : second);
      // Until midnight: 3 left, then nothing.
      const before = [];
      for (let i = 0; i < 5; i++)
        before.push((await from(i).consumeBatch(batch(tag, [], [credits], [{}], { now: midnight - 5 + i }))).calls[0].verdict);
      expect(before).toEqual(['VALID', 'VALID', 'VALID', 'USAGE_EXCEEDED', 'USAGE_EXCEEDED']);
      // Past midnight, 40 calls from both processes at once: one refill to 50, which they share.
      const after = await Promise.all(
        Array.from({ length: 40 }, (_, i) => from(i).consumeBatch(batch(tag, [], [credits], [{}], { now: midnight + i }))),
      );
      expect(after.every((result) => result.calls[0].verdict === 'VALID')).toBe(true);
      expect(await counters.readCredits(tag, credits.pool)).toMatchObject({ balance: 10, period: refillPeriod(refill, midnight) });
    } finally {
      await other.quit();
    }
  });

  it('refills monthly on the day of month, or on the last day of a shorter month', async () => {
    const { tag, pool, seed } = subject();
    const refill: CreditRefill = { interval: 'monthly', amount: 31, dayOfMonth: 31 };
    const credits = pool('key', 1, refill);
    await seed(credits, 1, refillPeriod(refill, Date.UTC(2027, 0, 31)));
    const at = async (now: number) => (await run(tag, [], [credits], [{}], { now }))[0].balances[0];
    expect(await at(Date.UTC(2027, 1, 27, 23, 59))).toBe(0); // 27 February: no refill yet
    expect(await at(Date.UTC(2027, 1, 28))).toBe(30); // 28 February is February's last day
    expect(await at(Date.UTC(2027, 2, 30, 12))).toBe(29); // 30 March: not yet
    expect(await at(Date.UTC(2027, 2, 31))).toBe(30); // 31 March
    expect(await at(Date.UTC(2027, 3, 30))).toBe(30); // 30 April is April's last day
  });

  it('computes refill periods in the script exactly as the domain does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2300, 0, 1) }),
        fc.constantFrom<CreditRefill['interval']>('daily', 'monthly'),
        fc.integer({ min: 1, max: 31 }),
        async (at, interval, dayOfMonth) => {
          const refill = { interval, dayOfMonth };
          expect(await counters.refillPeriodOnRedis(refill, at)).toBe(refillPeriod(refill, at));
        },
      ),
      { numRuns: 300 },
    );
    // And at every day boundary of two leap-year Februaries and Marches.
    for (const start of [Date.UTC(2028, 1, 27), Date.UTC(2100, 1, 27)]) {
      for (let day = 0; day < 35; day++) {
        for (const at of [start + day * 86_400_000 - 1, start + day * 86_400_000]) {
          const refill = { interval: 'monthly' as const, dayOfMonth: 29 };
          expect(await counters.refillPeriodOnRedis(refill, at)).toBe(refillPeriod(refill, at));
        }
      }
    }
  });

  it('answers a retried call with the same Idempotency-Key from its record, charging nothing more; another request with it is REUSED', async () => {
    const { tag, limit, pool, seed } = subject();
    const window = limit('key', 5, 3600);
    const credits = pool();
    await seed(credits, 10);
    const record = counters.idempotencyKey(tag, 'verifier', 'retry-1');
    const idempotency = { record, requestHash: 'hash-of-body' };
    const first = await run(tag, [window], [credits], [{ idempotency }]);
    const retries = await Promise.all(Array.from({ length: 20 }, () => run(tag, [window], [credits], [{ idempotency }])));
    // Every retry answers as the first did, marked as a replay (its caller writes back no charge for it).
    expect(retries.map(([retry]) => retry)).toEqual(Array(20).fill({ ...first[0], replayed: true }));
    expect(first[0].replayed).toBe(false);
    expect(summary(first)).toEqual([['VALID', 4, 9]]);
    expect(await counters.readCredits(tag, credits.pool)).toMatchObject({ balance: 9 });
    const [reused] = await run(tag, [window], [credits], [{ idempotency: { record, requestHash: 'another body' } }]);
    expect(reused.verdict).toBe('REUSED');
    expect(summary(await run(tag, [window], [credits], [{}]))).toEqual([['VALID', 3, 8]]);
    expect(await redis.pttl(record)).toBeGreaterThan(55_000);
  });

  it('answers a duplicated batch as the first time and charges none of its calls again; a late batch charges none', async () => {
    const { tag, limit, pool, seed } = subject();
    const window = limit('key', 3, 3600);
    const credits = pool();
    // Balances beyond 2^32 come back from the marker unchanged.
    await seed(credits, 9_007_199_254_740_991);
    const twice = batch(tag, [window], [credits], [{}, {}]);
    const first = await counters.consumeBatch(twice);
    expect(summary(first.calls)).toEqual([
      ['VALID', 2, 9_007_199_254_740_990],
      ['VALID', 1, 9_007_199_254_740_989],
    ]);
    expect(await counters.consumeBatch({ ...twice })).toEqual(first);
    const late = await counters.consumeBatch({ ...twice, operationId: randomUUID(), deadline: Date.now() - 60_000 });
    expect(late.calls.map((c) => c.verdict)).toEqual(['TOO_LATE', 'TOO_LATE']);
    expect(summary(await run(tag, [window], [credits], [{}]))).toEqual([['VALID', 0, 9_007_199_254_740_988]]);
  });

  it('only reads the counters when not consuming', async () => {
    const { tag, limit, pool, seed } = subject();
    const window = limit('key', 3, 3600);
    const credits = pool();
    await seed(credits, 10);
    expect(summary(await run(tag, [window], [credits], [{}, { consume: false }, {}]))).toEqual([
      ['VALID', 2, 9],
      ['VALID', 2, 9],
      ['VALID', 1, 8],
    ]);
  });

  it('answers a run of alike calls (one answer for the run when they all fit, or only read) exactly as the same calls one by one', async () => {
    // The limiter sends alike calls (the same index arrays) as one run; the script may answer such
    // a run at once (docs/architecture.md, One answer per run). Two identical subjects take the
    // same calls at the same injected instant: one as runs, one as calls that are not alike (their
    // own arrays each). Every answer, and every counter afterwards, must be the same.
    const group = fc.record({
      count: fc.integer({ min: 1, max: 12 }),
      consume: fc.boolean(),
      cost: fc.integer({ min: 1, max: 3 }),
      limits: fc.subarray([0, 1, 2]),
      pools: fc.subarray([0, 1]),
    });
    const scenario = fc.record({
      limits: fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })),
      balances: fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 })),
      groups: fc.array(group, { minLength: 1, maxLength: 5 }),
    });
    const now = Date.UTC(2026, 11, 6, 12, 0, 0);
    await fc.assert(
      fc.asyncProperty(scenario, async ({ limits, balances, groups }) => {
        const side = async (asRuns: boolean) => {
          const { tag, limit, pool, seed } = subject();
          const specs = [limit('a', limits[0], 60), limit('b', limits[1], 3600, 'fixed', true), limit('c', limits[2], 10, 'sliding')];
          const pools = [pool('key'), pool('owner')];
          await seed(pools[0], balances[0]);
          await seed(pools[1], balances[1]);
          const calls: ConsumeBatch['calls'] = [];
          for (const { count, consume, cost, limits: used, pools: charged } of groups) {
            const shape = {
              limits: used.map((i): [number, number] => [i, cost]),
              pools: charged.map((i): [number, number] => [i, cost]),
            };
            for (let k = 0; k < count; k++) {
              calls.push(
                asRuns
                  ? { consume, ...shape }
                  : {
                      consume,
                      limits: shape.limits.map(([i, c]): [number, number] => [i, c]),
                      pools: shape.pools.map(([i, c]): [number, number] => [i, c]),
                    },
              );
            }
          }
          const result = await counters.consumeBatch({ operationId: randomUUID(), tag, now, limits: specs, pools, calls });
          const after = await Promise.all([
            redis.hget(specs[0].counter, 'n'),
            redis.hget(specs[1].counter, 'n'),
            redis.zcard(specs[2].counter),
            ...pools.map(async (spec) => (await counters.readCredits(tag, spec.pool))?.balance),
          ]);
          return { calls: result.calls, after };
        };
        const [runs, oneByOne] = await Promise.all([side(true), side(false)]);
        expect(runs.calls).toEqual(oneByOne.calls);
        expect(runs.after).toEqual(oneByOne.after);
      }),
      { numRuns: 60 },
    );
  });

  it('seeds nothing itself: a missing balance, one older than the record or one without a seed is UNSEEDED, and nothing is charged', async () => {
    const { tag, limit, pool } = subject();
    const window = limit('key', 3, 3600);
    const credits = pool('key', 1);
    const [unseeded] = await run(tag, [window], [credits], [{}]);
    expect(unseeded).toMatchObject({ verdict: 'UNSEEDED', balances: [null] });
    expect(await redis.exists(window.counter, credits.counter)).toBe(0);
    await counters.seedCredits(tag, credits.pool, { balance: 10, version: 1, seed: 4, period: -1 });
    const seeded = await counters.consumeBatch(batch(tag, [window], [credits], [{}]));
    expect(seeded.pools).toEqual([{ version: 1, seed: 4, period: -1 }]);
    expect(summary(seeded.calls)).toEqual([['VALID', 2, 9]]);
    // The record knows of a change (version 2) that Redis missed: UNSEEDED, and the window is not charged.
    expect((await run(tag, [window], [{ ...credits, version: 2 }], [{}]))[0].verdict).toBe('UNSEEDED');
    // A record older than Redis's balance: Redis's stands.
    expect(summary(await run(tag, [window], [{ ...credits, version: 0 }], [{}]))).toEqual([['VALID', 1, 8]]);
    // A balance written by an earlier version of Keyward, without a seed, is not trusted.
    const legacy = pool('owner', 1);
    await redis.hset(legacy.counter, 'balance', 5, 'version', 1);
    expect((await run(tag, [], [legacy], [{}]))[0].verdict).toBe('UNSEEDED');
  });

  it('keeps the newest seed: an older seed or version never replaces a balance, a newer one does', async () => {
    const { tag, keyId } = subject();
    const ref = { kind: 'key' as const, id: keyId };
    const at = (balance: number, version: number, seed: number) => counters.seedCredits(tag, ref, { balance, version, seed, period: -1 });
    expect(await at(10, 1, 5)).toBe(true);
    expect(await at(99, 1, 4)).toBe(false);
    expect(await at(99, 1, 5)).toBe(false);
    expect(await at(99, 0, 9)).toBe(false);
    expect(await counters.readCredits(tag, ref)).toEqual({ balance: 10, version: 1, seed: 5, period: -1 });
    expect(await at(8, 1, 6)).toBe(true);
    expect(await counters.readCredits(tag, ref)).toEqual({ balance: 8, version: 1, seed: 6, period: -1 });
  });

  it('lets one seeder at a time claim a pool, until it seeds, gives the claim back, or the claim expires', async () => {
    const { tag, keyId } = subject();
    const ref = { kind: 'key' as const, id: keyId };
    expect(await counters.claimSeed(tag, ref, 'first', 60_000)).toBe(true);
    expect(await counters.claimSeed(tag, ref, 'second', 60_000)).toBe(false);
    // Only the holder's seed or release frees the pool.
    await counters.releaseSeed(tag, ref, 'second');
    expect(await counters.claimSeed(tag, ref, 'second', 60_000)).toBe(false);
    await counters.seedCredits(tag, ref, { balance: 5, version: 0, seed: 1, period: -1 }, 'first');
    expect(await counters.claimSeed(tag, ref, 'second', 60_000)).toBe(true);
    await counters.releaseSeed(tag, ref, 'second');
    expect(await counters.claimSeed(tag, ref, 'third', 50)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await counters.claimSeed(tag, ref, 'fourth', 60_000)).toBe(true);
  });

  it('takes charges made against an older seed off the current balance, or off the seed that has yet to arrive', async () => {
    const { tag, keyId } = subject();
    const pool = { kind: 'key' as const, id: keyId };
    const charge = (seed: number, amount: number, version = 1, period = -1) =>
      counters.applyCharge(tag, { pool, version, seed, period, periodStart: null, amount });
    await counters.seedCredits(tag, pool, { balance: 100, version: 1, seed: 2, period: -1 });
    // PostgreSQL is at seed 2: the charge of 3 made against seed 1 is taken off at once.
    await charge(2, 3);
    expect(await counters.readCredits(tag, pool)).toMatchObject({ balance: 97, seed: 2 });
    // PostgreSQL is at seed 3, whose balance has not reached Redis yet: owed until it does.
    await charge(3, 4);
    expect(await counters.readCredits(tag, pool)).toMatchObject({ balance: 97, seed: 2 });
    await counters.seedCredits(tag, pool, { balance: 90, version: 1, seed: 3, period: -1 });
    expect(await counters.readCredits(tag, pool)).toMatchObject({ balance: 86, seed: 3 });
    expect(await redis.hkeys(counters.poolKey(tag, pool))).toEqual(expect.not.arrayContaining(['owed:3:-1']));
    // A charge for a balance already replaced (an older seed, an older version, an earlier refill period) changes nothing.
    await charge(2, 50);
    await charge(9, 50, 0);
    await charge(3, 50, 1, 5);
    expect(await counters.readCredits(tag, pool)).toEqual({ balance: 86, version: 1, seed: 3, period: -1 });
  });

  it('applies a change of the balance through the API unless a newer version is in place, keeping the seed it is given', async () => {
    const { tag, pool, seed } = subject();
    const credits = pool('key', 1);
    await seed(credits, 10);
    await counters.setCredits(tag, credits.pool, 7, { version: 3, seed: 1, period: -1 });
    await counters.setCredits(tag, credits.pool, 100, { version: 2, seed: 1, period: -1 });
    const after = await counters.consumeBatch(batch(tag, [], [{ ...credits, version: 2 }], [{}]));
    expect(after.pools).toEqual([{ version: 3, seed: 1, period: -1 }]);
    expect(summary(after.calls)).toEqual([['VALID', 6]]);
    await counters.setCredits(tag, credits.pool, null, { version: 4, seed: 1, period: -1 });
    expect(await counters.readCredits(tag, credits.pool)).toBeNull();
  });

  it('adjusts a seeded balance atomically, never below zero, after a refill that is due', async () => {
    const { tag, pool, seed } = subject();
    const refill: CreditRefill = { interval: 'daily', amount: 20, dayOfMonth: null };
    const credits = pool('key', 1, refill);
    expect(await counters.adjustCredits(tag, credits, 5)).toEqual({ status: 'unseeded' });
    const day = Date.UTC(2027, 0, 5);
    await seed(credits, 4, refillPeriod(refill, day));
    expect(await counters.adjustCredits(tag, credits, 100, day + 10)).toMatchObject({ status: 'applied', balance: 104 });
    expect(await counters.adjustCredits(tag, credits, -105, day + 20)).toMatchObject({ status: 'below-zero', balance: 104 });
    expect(await counters.adjustCredits(tag, credits, -104, day + 30)).toMatchObject({ status: 'applied', balance: 0 });
    // Past midnight the refill (20) comes first, then the change.
    expect(await counters.adjustCredits(tag, credits, -15, day + 86_400_000)).toMatchObject({
      status: 'applied',
      balance: 5,
      tag: { period: refillPeriod(refill, day + 86_400_000) },
    });
  });
});
