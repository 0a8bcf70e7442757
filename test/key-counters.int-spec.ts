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
  const consume = async ({ operationId, deadline, cost, consume: charges, ...key }: ConsumeRequest): Promise<ConsumeResult> =>
    (await counters.consumeBatch({ operationId, deadline, keys: [{ ...key, calls: [{ cost, consume: charges }] }] }))[0][0];

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
  const credits = (seedBalance: number, seedVersion = 1) => ({ seedBalance, seedVersion });

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
      for (const each of calls.slice(0, results.length)) oneByOne.push(await consume(call(alone, { rateLimit: key.rateLimit, credits: key.credits, ...each })));
      expect(summary(oneByOne)).toEqual(summary(results));
    }
    // What the batch charged is in Redis: the window holds 4 of 5, and the next call is refused by it.
    const [next] = await counters.consumeBatch({
      operationId: randomUUID(),
      keys: [{ ...windowed, credits: credits(10, 2), calls: [{ cost: 2, consume: true }, { cost: 1, consume: true }] }],
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
    expect(await consume(call(keyIds[0], { rateLimit: hour, credits: credits(0, 0) }))).toMatchObject({ verdict: 'VALID', windowRemaining: 0, balance: 9_007_199_254_740_988 });
    expect(await consume(call(keyIds[1], { rateLimit: hour }))).toMatchObject({ verdict: 'VALID', windowRemaining: 0 });
  });

  it('seeds a missing balance, replaces an older one, and keeps one newer than the caller knows', async () => {
    const keyId = randomUUID();
    expect((await consume(call(keyId, { credits: credits(10, 1) }))).balance).toBe(9);
    // The caller's record is older than Redis's balance: Redis's stands.
    expect((await consume(call(keyId, { credits: credits(50, 0) }))).balance).toBe(8);
    // A PATCH the caller read (version 2) and Redis missed replaces the balance.
    expect((await consume(call(keyId, { credits: credits(50, 2) }))).balance).toBe(49);
    // A PATCH applied directly: a newer version replaces, an older one does not.
    await counters.setCredits(keyId, 7, 3);
    await counters.setCredits(keyId, 100, 2);
    expect((await consume(call(keyId, { credits: credits(50, 2) }))).balance).toBe(6);
    expect(await counters.readCredits([keyId])).toEqual([{ keyId, balance: 6, version: 3 }]);
  });
});
