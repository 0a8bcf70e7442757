// The shared counters of a key (its rate window and credits), on the run's real Redis: what the
// script charges, when it refuses, and that a duplicated or late call charges nothing.
import { KeyCounters, type ConsumeBatch, type ConsumeResult, type CounterCall, type KeyCalls } from '@keyward/keys';
import { createRedisConnection, type RedisClient } from '@keyward/platform';
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

  /** One call alone: a batch of one key and one call. */
  type ConsumeRequest = Omit<KeyCalls, 'calls'> & CounterCall & Pick<ConsumeBatch, 'operationId' | 'deadline'>;
  const consumeOnce = async ({ operationId, deadline, cost, consume: charges, ...key }: ConsumeRequest): Promise<ConsumeResult> =>
    (await counters.consumeBatch({ operationId, deadline, keys: [{ ...key, calls: [{ cost, consume: charges }] }] }))[0][0];
  /** A call on a key whose balance, if it has credits, is in Redis: seeded first (here from the test's record) if missing. */
  const consume = async (request: ConsumeRequest): Promise<ConsumeResult> => {
    if (request.credits && !(await counters.readCredits(request.keyId))) await seed(request.keyId, request.credits as Credits);
    return consumeOnce(request);
  };
  /** A key's balance as PostgreSQL would give it to a seed. */
  type Credits = { version: number; seedBalance: number };
  let seeds = 0;
  const seed = (keyId: string, { seedBalance, version }: Credits) =>
    counters.seedCredits(keyId, { balance: seedBalance, version, seed: ++seeds });

  /** A consume of one unit by a new call, for a key with a window of `limit` per hour and/or credits. */
  const call = (keyId: string, overrides: Partial<ConsumeRequest> = {}): ConsumeRequest => ({
    keyId,
    operationId: randomUUID(),
    cost: 1,
    rateLimit: null,
    credits: null,
    consume: true,
    ...overrides,
  });
  const hour = { limit: 3, windowSeconds: 3600 };
  const credits = (seedBalance: number, version = 1): Credits => ({ seedBalance, version });

  it('charges the window and the credits together, and only for VALID', async () => {
    const keyId = randomUUID();
    const limited = { rateLimit: hour, credits: credits(10) };
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await consume(call(keyId, limited)));
    expect(verdicts.map(({ verdict, windowRemaining, balance }) => [verdict, windowRemaining, balance])).toEqual([
      ['VALID', 2, 9],
      ['VALID', 1, 8],
      ['VALID', 0, 7],
      // Refused by the window: the credits are not charged either.
      ['RATE_LIMITED', 0, 7],
    ]);
    const resetAt = verdicts[0].windowResetAt!;
    expect(resetAt % 3_600_000).toBe(0);
    expect(verdicts.every((each) => each.windowResetAt === resetAt)).toBe(true);
    expect(verdicts[0].windowResetInMs).toBeGreaterThan(0);
    expect(verdicts[0].windowResetInMs).toBeLessThanOrEqual(3_600_000);
    // The window's hash lives until just after the window ends, set when the window began.
    const ttl = await redis.pttl(`${config.redisKeyPrefix}window:{${keyId}}`);
    expect(ttl).toBeGreaterThan(verdicts[0].windowResetInMs! - 5_000);
    expect(ttl).toBeLessThanOrEqual(verdicts[0].windowResetInMs! + 1_000);
  });

  it('refuses a cost larger than the balance, charges nothing then, and charges the whole cost when it fits', async () => {
    const keyId = randomUUID();
    const first = await consume(call(keyId, { credits: credits(5), cost: 3 }));
    const refused = await consume(call(keyId, { credits: credits(5), cost: 3 }));
    const last = await consume(call(keyId, { credits: credits(5), cost: 2 }));
    const none = await consume(call(keyId, { credits: credits(5), cost: 1 }));
    expect([first, refused, last, none].map(({ verdict, balance }) => [verdict, balance])).toEqual([
      ['VALID', 2],
      ['USAGE_EXCEEDED', 2],
      ['VALID', 0],
      ['USAGE_EXCEEDED', 0],
    ]);
  });

  it('answers a duplicated call as the first time, without charging it again', async () => {
    const keyId = randomUUID();
    // Balances and window ends beyond 2^32 come back from the marker unchanged.
    const request = call(keyId, { rateLimit: hour, credits: credits(987_654_321_012) });
    const first = await consume(request);
    const again = await consume(request);
    const twice = await consume({ ...request });
    expect(first).toMatchObject({ verdict: 'VALID', windowRemaining: 2, balance: 987_654_321_011 });
    expect(again).toEqual(first);
    expect(twice).toEqual(first);
    const next = await consume(call(keyId, { rateLimit: hour, credits: credits(987_654_321_012) }));
    expect(next).toMatchObject({ verdict: 'VALID', windowRemaining: 1, balance: 987_654_321_010 });

    // A refusal is remembered as well: its duplicate is refused even once the window has room.
    const tight = randomUUID();
    const one = { rateLimit: { limit: 1, windowSeconds: 3600 } };
    await consume(call(tight, one));
    const refused = call(tight, one);
    expect((await consume(refused)).verdict).toBe('RATE_LIMITED');
    await redis.del(`${config.redisKeyPrefix}window:{${tight}}`);
    expect((await consume(refused)).verdict).toBe('RATE_LIMITED');
    expect((await consume(call(tight, one))).verdict).toBe('VALID');
  });

  it('charges nothing for a call that reaches Redis after its deadline', async () => {
    const keyId = randomUUID();
    const late = await consume(call(keyId, { rateLimit: hour, credits: credits(10), deadline: Date.now() - 60_000 }));
    expect(late.verdict).toBe('TOO_LATE');
    const inTime = await consume(call(keyId, { rateLimit: hour, credits: credits(10), deadline: Date.now() + 60_000 }));
    expect(inTime).toMatchObject({ verdict: 'VALID', windowRemaining: 2, balance: 9 });
  });

  it('only reads the counters when not consuming', async () => {
    const keyId = randomUUID();
    const limited = { rateLimit: hour, credits: credits(10) };
    await consume(call(keyId, limited));
    const read = await consume(call(keyId, { ...limited, consume: false }));
    expect(read).toMatchObject({ verdict: 'VALID', windowRemaining: 2, balance: 9 });
    expect(await consume(call(keyId, limited))).toMatchObject({ windowRemaining: 1, balance: 8 });
  });

  it('starts a new window when the old one ends', async () => {
    const keyId = randomUUID();
    const second = { rateLimit: { limit: 2, windowSeconds: 1 } };
    // Begin just after a window boundary on Redis's clock, so that both calls fall in one window.
    const offset = await counters.redisClockOffset();
    await new Promise((resolve) => setTimeout(resolve, 1_000 - ((Date.now() + offset) % 1_000) + 20));
    const inFirst = [await consume(call(keyId, second)), await consume(call(keyId, second))];
    const refused = await consume(call(keyId, second));
    await new Promise((resolve) => setTimeout(resolve, refused.windowResetInMs! + 20));
    const inNext = await consume(call(keyId, second));
    expect([...inFirst, refused, inNext].map(({ verdict, windowRemaining }) => [verdict, windowRemaining])).toEqual([
      ['VALID', 1],
      ['VALID', 0],
      ['RATE_LIMITED', 0],
      ['VALID', 1],
    ]);
    expect(inNext.windowResetAt).toBe(inFirst[0].windowResetAt! + 1_000);
  });

  const summary = (results: ConsumeResult[]) => results.map(({ verdict, windowRemaining, balance }) => [verdict, windowRemaining, balance]);

  it('decides the calls of a batch one after the other, key by key, exactly as if each had come alone', async () => {
    const windowed = { keyId: randomUUID(), rateLimit: { limit: 5, windowSeconds: 3600 }, credits: credits(4) };
    const credited = { keyId: randomUUID(), rateLimit: null, credits: credits(3) };
    const calls = [
      { cost: 2, consume: true },
      { cost: 1, consume: false }, // reads: charges nothing
      { cost: 3, consume: true }, // over the balance left (2): USAGE_EXCEEDED
      { cost: 2, consume: true },
      { cost: 1, consume: true }, // the balance is spent: USAGE_EXCEEDED
    ];
    await seed(windowed.keyId, windowed.credits);
    await seed(credited.keyId, credited.credits);
    const [first, second] = await counters.consumeBatch({
      operationId: randomUUID(),
      keys: [
        { ...windowed, calls },
        { ...credited, calls: calls.slice(0, 3) },
      ],
    });
    expect(summary(first)).toEqual([
      ['VALID', 3, 2],
      ['VALID', 3, 2],
      ['USAGE_EXCEEDED', 3, 2],
      ['VALID', 1, 0],
      ['USAGE_EXCEEDED', 1, 0],
    ]);
    // Each key has its own counters: the second key's calls start from its own balance.
    expect(summary(second)).toEqual([
      ['VALID', null, 1],
      ['VALID', null, 1],
      ['USAGE_EXCEEDED', null, 1],
    ]);
    // The same calls one by one on other keys give the same answers.
    for (const [key, results] of [
      [windowed, first],
      [credited, second],
    ] as const) {
      const alone = randomUUID();
      const oneByOne = [];
      for (const each of calls.slice(0, results.length))
        oneByOne.push(await consume(call(alone, { rateLimit: key.rateLimit, credits: key.credits, ...each })));
      expect(summary(oneByOne)).toEqual(summary(results));
    }
    // What the batch charged is in Redis: the window holds 4 of 5, and the next call is refused by it.
    await counters.setCredits(windowed.keyId, 10, 2, 1);
    const [next] = await counters.consumeBatch({
      operationId: randomUUID(),
      keys: [
        {
          ...windowed,
          credits: credits(10, 2),
          calls: [
            { cost: 2, consume: true },
            { cost: 1, consume: true },
          ],
        },
      ],
    });
    expect(summary(next)).toEqual([
      ['RATE_LIMITED', 1, 10],
      ['VALID', 0, 9],
    ]);
  });

  it('answers a duplicated batch as the first time and charges none of its calls again; a late batch charges none', async () => {
    const keyIds = [randomUUID(), randomUUID()];
    const twoCalls = [
      { cost: 1, consume: true },
      { cost: 1, consume: true },
    ];
    const batch = {
      operationId: randomUUID(),
      keys: [
        { keyId: keyIds[0], rateLimit: hour, credits: credits(9_007_199_254_740_991), calls: twoCalls },
        { keyId: keyIds[1], rateLimit: hour, credits: null, calls: twoCalls },
      ],
    };
    await seed(keyIds[0], batch.keys[0].credits!);
    const first = await counters.consumeBatch(batch);
    expect(first.map((results) => results.map(({ windowRemaining, balance }) => [windowRemaining, balance]))).toEqual([
      [
        [2, 9_007_199_254_740_990],
        [1, 9_007_199_254_740_989],
      ],
      [
        [2, null],
        [1, null],
      ],
    ]);
    expect(await counters.consumeBatch({ ...batch })).toEqual(first);
    const late = await counters.consumeBatch({ ...batch, operationId: randomUUID(), deadline: Date.now() - 60_000 });
    expect(late.map((results) => results.map(({ verdict }) => verdict))).toEqual([
      ['TOO_LATE', 'TOO_LATE'],
      ['TOO_LATE', 'TOO_LATE'],
    ]);
    expect(await consume(call(keyIds[0], { rateLimit: hour, credits: credits(0, 0) }))).toMatchObject({
      verdict: 'VALID',
      windowRemaining: 0,
      balance: 9_007_199_254_740_988,
    });
    expect(await consume(call(keyIds[1], { rateLimit: hour }))).toMatchObject({ verdict: 'VALID', windowRemaining: 0 });
  });

  it('seeds nothing itself: a missing balance, one older than the record or one without a seed is UNSEEDED, and nothing is charged', async () => {
    const keyId = randomUUID();
    const limited = { rateLimit: hour, credits: credits(10, 1) };
    const unseeded = await consumeOnce(call(keyId, limited));
    expect(unseeded).toMatchObject({ verdict: 'UNSEEDED', balance: null, creditsTag: null });
    // Neither the window nor the balance was touched.
    expect(await redis.exists(`${config.redisKeyPrefix}window:{${keyId}}`, counters.creditsKey(keyId))).toBe(0);
    await counters.seedCredits(keyId, { balance: 10, version: 1, seed: 4 });
    expect(await consumeOnce(call(keyId, limited))).toMatchObject({
      verdict: 'VALID',
      windowRemaining: 2,
      balance: 9,
      creditsTag: { version: 1, seed: 4 },
    });
    // The record knows of a PATCH (version 2) that Redis missed: UNSEEDED, and the window is not charged.
    expect(await consumeOnce(call(keyId, { rateLimit: hour, credits: credits(50, 2) }))).toMatchObject({ verdict: 'UNSEEDED' });
    // A record older than Redis's balance: Redis's stands.
    expect(await consumeOnce(call(keyId, { rateLimit: hour, credits: credits(50, 0) }))).toMatchObject({
      verdict: 'VALID',
      windowRemaining: 1,
      balance: 8,
    });
    // A balance written by an earlier version of Keyward, without a seed, is not trusted.
    const legacy = randomUUID();
    await redis.hset(counters.creditsKey(legacy), 'balance', 5, 'version', 1);
    expect((await consumeOnce(call(legacy, { credits: credits(5, 1) }))).verdict).toBe('UNSEEDED');
  });

  it('keeps the newest seed: an older seed or version never replaces a balance, a newer one does', async () => {
    const keyId = randomUUID();
    expect(await counters.seedCredits(keyId, { balance: 10, version: 1, seed: 5 })).toBe(true);
    expect(await counters.seedCredits(keyId, { balance: 99, version: 1, seed: 4 })).toBe(false);
    expect(await counters.seedCredits(keyId, { balance: 99, version: 1, seed: 5 })).toBe(false);
    expect(await counters.seedCredits(keyId, { balance: 99, version: 0, seed: 9 })).toBe(false);
    expect(await counters.readCredits(keyId)).toEqual({ balance: 10, version: 1, seed: 5 });
    expect(await counters.seedCredits(keyId, { balance: 8, version: 1, seed: 6 })).toBe(true);
    expect(await counters.readCredits(keyId)).toEqual({ balance: 8, version: 1, seed: 6 });
  });

  it('lets one seeder at a time claim a key, until it seeds, gives the claim back, or the claim expires', async () => {
    const keyId = randomUUID();
    expect(await counters.claimSeed(keyId, 'first', 60_000)).toBe(true);
    expect(await counters.claimSeed(keyId, 'second', 60_000)).toBe(false);
    // Only the holder's seed or release frees the key.
    await counters.releaseSeed(keyId, 'second');
    expect(await counters.claimSeed(keyId, 'second', 60_000)).toBe(false);
    await counters.seedCredits(keyId, { balance: 5, version: 0, seed: 1 }, 'first');
    expect(await counters.claimSeed(keyId, 'second', 60_000)).toBe(true);
    await counters.releaseSeed(keyId, 'second');
    expect(await counters.claimSeed(keyId, 'third', 50)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await counters.claimSeed(keyId, 'fourth', 60_000)).toBe(true);
  });

  it('takes charges made against an older seed off the current balance, or off the seed that has yet to arrive', async () => {
    const keyId = randomUUID();
    await counters.seedCredits(keyId, { balance: 100, version: 1, seed: 2 });
    // PostgreSQL is at seed 2: the charge of 3 made against seed 1 is taken off at once.
    await counters.applyCharge({ keyId, version: 1, seed: 2, amount: 3 });
    expect(await counters.readCredits(keyId)).toEqual({ balance: 97, version: 1, seed: 2 });
    // PostgreSQL is at seed 3, whose balance has not reached Redis yet: owed until it does.
    await counters.applyCharge({ keyId, version: 1, seed: 3, amount: 4 });
    expect(await counters.readCredits(keyId)).toEqual({ balance: 97, version: 1, seed: 2 });
    await counters.seedCredits(keyId, { balance: 90, version: 1, seed: 3 });
    expect(await counters.readCredits(keyId)).toEqual({ balance: 86, version: 1, seed: 3 });
    expect(await redis.hkeys(counters.creditsKey(keyId))).toEqual(expect.not.arrayContaining(['owed:3']));
    // A charge for a balance already replaced (an older seed, or an older version) changes nothing.
    await counters.applyCharge({ keyId, version: 1, seed: 2, amount: 50 });
    await counters.applyCharge({ keyId, version: 0, seed: 9, amount: 50 });
    expect(await counters.readCredits(keyId)).toEqual({ balance: 86, version: 1, seed: 3 });
  });

  it('applies a PATCH of the balance unless a newer version is in place, keeping the seed it is given', async () => {
    const keyId = randomUUID();
    await counters.seedCredits(keyId, { balance: 10, version: 1, seed: 1 });
    await counters.setCredits(keyId, 7, 3, 1);
    await counters.setCredits(keyId, 100, 2, 1);
    expect(await consume(call(keyId, { credits: credits(50, 2) }))).toMatchObject({ balance: 6, creditsTag: { version: 3, seed: 1 } });
    expect(await counters.readCredits(keyId)).toEqual({ balance: 6, version: 3, seed: 1 });
    await counters.setCredits(keyId, null, 4, 1);
    expect(await counters.readCredits(keyId)).toBeNull();
  });
});
