// The shared counters of a key in Redis: its rate-limit window and its credit balance, checked and
// consumed by one Lua script, so limits are exact however many verify processes serve the key.
// Every Redis key of one API key carries the hash tag {<keyId>}: they live in one cluster slot.
// A balance is only ever seeded from PostgreSQL (docs/credits.md), never from a cached record.
import { KEYWARD_CONFIG, REDIS_CLIENT, type KeywardConfig, type RedisClient } from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';

/**
 * UNSEEDED: the key has credits but Redis holds no balance for it at the record's version (first
 * use, or Redis lost it): nothing was checked or charged; seed it from PostgreSQL and ask again.
 */
export type CounterVerdict = 'VALID' | 'RATE_LIMITED' | 'USAGE_EXCEEDED' | 'UNSEEDED' | 'TOO_LATE';

/** One call's share of a batch: what it costs, and whether it is charged (VALID) or only reads. */
export interface CounterCall {
  cost: number;
  /** false: only read the counters (for the RateLimit headers of an answer that is not VALID). */
  consume: boolean;
}

/** The calls on one key's counters in a batch, with what the key's record says of its limits. */
export interface KeyCalls {
  keyId: string;
  rateLimit: { limit: number; windowSeconds: number } | null;
  /** The record's credits version (a Redis balance of an older version is outdated); null = no credits. */
  credits: { version: number } | null;
  calls: CounterCall[];
}

/**
 * Calls on the counters of one or more keys, checked (and charged) in one atomic step, each key's
 * calls one after the other. A cluster runs a script on one slot only: there, one key per batch.
 */
export interface ConsumeBatch {
  /** Unique per batch: a retried or duplicated batch is answered, not charged, again. */
  operationId: string;
  /** Epoch ms on Redis's clock after which the batch must charge nothing (see redisClockOffset). */
  deadline?: number;
  keys: KeyCalls[];
}

export interface ConsumeResult {
  verdict: CounterVerdict;
  /** Units left in the current window (rate-limited keys). */
  windowRemaining: number | null;
  /** Epoch ms at which the window resets (rate-limited keys). */
  windowResetAt: number | null;
  /** Milliseconds until the window resets, by Redis's clock (rate-limited keys). */
  windowResetInMs: number | null;
  /** Credits left (keys with credits). */
  balance: number | null;
  /** The version and seed of the balance a charge was made against (keys with credits, seeded). */
  creditsTag: CreditsTag | null;
}

/** Which balance a charge was taken from: PostgreSQL's credits version and seed (docs/credits.md). */
export interface CreditsTag {
  version: number;
  seed: number;
}

/** The credits a batch of checks charged to one key's balance, to write back to PostgreSQL. */
export interface CreditsCharge extends CreditsTag {
  keyId: string;
  amount: number;
}

// KEYS: the batch's marker, then per key its window hash and credits hash. ARGV: marker ttl ms,
// deadline (epoch ms on Redis's clock, 0 = none), then per key: limit (0 = none), window ms, has
// credits (1/0), the record's credits version, number of calls, and per call its cost and consume
// (1/0). Each call is decided on the counters as the calls before it left them, exactly as if it
// had come alone; only VALID calls that consume are charged. A batch that reaches Redis after its
// deadline charges nothing and answers {-1}: its caller has stopped waiting and answered without
// it (a slow Redis must not charge late). Otherwise the answer is, per key, its window's end and
// the time to it, the balance's version and seed (-1: no credits), then per call: verdict
// (0 VALID, 1 RATE_LIMITED, 2 USAGE_EXCEEDED, 3 UNSEEDED), units left in the window (-1: no
// window), balance (-1: no credits).
// A key with credits whose balance is missing, of an older version than the record's, or without
// a seed is UNSEEDED: none of its calls is decided or charged (its window neither), and the caller
// seeds the balance from PostgreSQL (SEED_CREDITS) and asks again. Nothing here seeds a balance.
// Windows are fixed and aligned on Redis's own clock (TIME), so processes with skewed clocks agree.
// Each redis.call is a good part of the script's cost, so it makes as few as it can whatever the
// number of calls: per key one HMGET per hash and one write per hash (an increment within a
// window, whose expiry was set when it began); per batch one marker, as plain digits (none when
// every key of the batch was UNSEEDED: nothing was decided, and the caller asks again anyway).
const CONSUME = `
local prior = redis.call('GET', KEYS[1])
if prior then
  local answered = {}
  for field in string.gmatch(prior, '[^,]+') do answered[#answered + 1] = tonumber(field) end
  return answered
end
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local deadline = tonumber(ARGV[2])
if deadline > 0 and nowMs > deadline then return {-1} end
local result, consumes, decided, a = {}, false, false, 3
for k = 2, #KEYS, 2 do
  local limit, windowMs, calls = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 4])
  local balance, version, seed, unseeded = -1, -1, -1, false
  if ARGV[a + 2] == '1' then
    local credits = redis.call('HMGET', KEYS[k + 1], 'balance', 'version', 'seed')
    balance, version, seed = tonumber(credits[1]), tonumber(credits[2]), tonumber(credits[3])
    if balance == nil or version == nil or seed == nil or version < tonumber(ARGV[a + 3]) then
      balance, version, seed, unseeded = -1, -1, -1, true
    end
  end
  if not unseeded then decided = true end
  local used, index, resetAt, sameWindow = 0, 0, 0, false
  if limit > 0 and not unseeded then
    index = math.floor(nowMs / windowMs)
    resetAt = (index + 1) * windowMs
    local window = redis.call('HMGET', KEYS[k], 'w', 'n')
    if tonumber(window[1]) == index then used, sameWindow = tonumber(window[2]), true end
  end
  a = a + 5
  local usedBefore, balanceBefore = used, balance
  result[#result + 1] = resetAt
  result[#result + 1] = resetAt - nowMs
  result[#result + 1] = version
  result[#result + 1] = seed
  for _ = 1, calls do
    local cost, consume = tonumber(ARGV[a]), ARGV[a + 1] == '1'
    a = a + 2
    local verdict = 0
    if unseeded then
      verdict = 3
    elseif limit > 0 and used + cost > limit then
      verdict = 1
    elseif balance >= 0 and balance < cost then
      verdict = 2
    elseif consume then
      if limit > 0 then used = used + cost end
      if balance >= 0 then balance = balance - cost end
    end
    if consume then consumes = true end
    result[#result + 1] = verdict
    result[#result + 1] = limit > 0 and (limit - used) or -1
    result[#result + 1] = balance
  end
  if used > usedBefore then
    if sameWindow then
      redis.call('HINCRBY', KEYS[k], 'n', used - usedBefore)
    else
      redis.call('HSET', KEYS[k], 'w', index, 'n', used)
      redis.call('PEXPIREAT', KEYS[k], resetAt + 1000)
    end
  end
  if balance < balanceBefore then redis.call('HINCRBY', KEYS[k + 1], 'balance', balance - balanceBefore) end
end
if consumes and decided then
  local digits = {}
  for i = 1, #result do digits[i] = string.format('%d', result[i]) end
  redis.call('SET', KEYS[1], table.concat(digits, ','), 'PX', ARGV[1])
end
return result`;

// KEYS: credits hash, the key's seed claim. ARGV: balance, version, seed, all read from PostgreSQL
// in one statement that also bumped the seed, and the claim's token. Sets the balance unless one of
// a newer version, or of the same version and a seed at least as new, is in place. Charges that
// reached PostgreSQL after this seed was read but were made against an older seed wait in the hash
// as owed:<seed> (APPLY_CHARGE) and are taken off the balance here; every other field (older owed
// amounts) goes. Releases the claim if it is still this seeder's.
const SEED_CREDITS = `
local current = redis.call('HMGET', KEYS[1], 'version', 'seed', 'owed:' .. ARGV[3])
local version, seed = tonumber(current[1]), tonumber(current[2])
local newVersion, newSeed = tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('DEL', KEYS[2]) end
if version and seed and (version > newVersion or (version == newVersion and seed >= newSeed)) then return 0 end
local owed = tonumber(current[3]) or 0
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'balance', tonumber(ARGV[1]) - owed, 'version', ARGV[2], 'seed', ARGV[3])
return 1`;

// KEYS: the key's seed claim. ARGV: the token. Releases the claim if it is still this seeder's.
const RELEASE_SEED = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// KEYS: credits hash. ARGV: version, seed, amount. Charges credits that PostgreSQL recorded
// against an older seed than (version, seed), its current one, to that balance: at once if Redis
// holds it, later (owed:<seed>, taken by SEED_CREDITS) if that seed has not reached Redis yet.
const APPLY_CHARGE = `
local current = redis.call('HMGET', KEYS[1], 'version', 'seed')
local version, seed = tonumber(current[1]), tonumber(current[2])
local targetVersion, targetSeed = tonumber(ARGV[1]), tonumber(ARGV[2])
if version == targetVersion and seed == targetSeed then
  redis.call('HINCRBY', KEYS[1], 'balance', -tonumber(ARGV[3]))
  return 1
end
if version == nil or version < targetVersion or (version == targetVersion and seed < targetSeed) then
  redis.call('HINCRBY', KEYS[1], 'owed:' .. ARGV[2], tonumber(ARGV[3]))
  return 2
end
return 0`;

// KEYS: credits hash. ARGV: balance (or '' to drop the balance), version, seed. Applies a PATCH of
// `remaining` unless a newer version is already in place.
const SET_CREDITS = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if current > tonumber(ARGV[2]) then return 0 end
redis.call('DEL', KEYS[1])
if ARGV[1] == '' then return 1 end
redis.call('HSET', KEYS[1], 'balance', ARGV[1], 'version', ARGV[2], 'seed', ARGV[3])
return 1`;

const VERDICTS: CounterVerdict[] = ['VALID', 'RATE_LIMITED', 'USAGE_EXCEEDED', 'UNSEEDED'];
const TOO_LATE: ConsumeResult = {
  verdict: 'TOO_LATE',
  windowRemaining: null,
  windowResetAt: null,
  windowResetInMs: null,
  balance: null,
  creditsTag: null,
};
/**
 * How long a batch's marker answers duplicates of it. A duplicate can only come from a client
 * retry within the caller's deadline (a quarter of a second), so a few seconds cover it without
 * keeping one key per batch alive for long.
 */
const OPERATION_TTL_MS = 5_000;

@Injectable()
export class KeyCounters {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
  ) {
    this.prefix = config.redisKeyPrefix;
    // The number of keys varies with the batch: it goes first among the arguments.
    this.redis.defineCommand('keywardConsume', { lua: CONSUME });
    this.redis.defineCommand('keywardSeedCredits', { numberOfKeys: 2, lua: SEED_CREDITS });
    this.redis.defineCommand('keywardReleaseSeed', { numberOfKeys: 1, lua: RELEASE_SEED });
    this.redis.defineCommand('keywardApplyCharge', { numberOfKeys: 1, lua: APPLY_CHARGE });
    this.redis.defineCommand('keywardSetCredits', { numberOfKeys: 1, lua: SET_CREDITS });
  }

  creditsKey(keyId: string): string {
    return `${this.prefix}credits:{${keyId}}`;
  }

  private seedClaimKey(keyId: string): string {
    return `${this.prefix}seeding:{${keyId}}`;
  }

  /** Per key of the batch, its calls' results in their order (see CONSUME). */
  async consumeBatch(batch: ConsumeBatch): Promise<ConsumeResult[][]> {
    const keys: string[] = [`${this.prefix}op:{${batch.keys[0].keyId}}:${batch.operationId}`];
    const args: Array<string | number> = [OPERATION_TTL_MS, batch.deadline ?? 0];
    for (const { keyId, rateLimit, credits, calls } of batch.keys) {
      keys.push(`${this.prefix}window:{${keyId}}`, this.creditsKey(keyId));
      args.push(rateLimit?.limit ?? 0, (rateLimit?.windowSeconds ?? 1) * 1000, credits ? 1 : 0, credits?.version ?? 0, calls.length);
      for (const call of calls) args.push(call.cost, call.consume ? 1 : 0);
    }
    const reply = (await (this.redis as unknown as CreditsCommands).keywardConsume(keys.length, ...keys, ...args)) as number[];
    if (reply[0] === -1) return batch.keys.map(({ calls }) => calls.map(() => ({ ...TOO_LATE })));
    let at = 0;
    return batch.keys.map(({ rateLimit, credits, calls }) => {
      const resetAt = reply[at];
      const resetInMs = reply[at + 1];
      const creditsTag = credits && reply[at + 3] >= 0 ? { version: reply[at + 2], seed: reply[at + 3] } : null;
      at += 4;
      return calls.map(() => {
        const result: ConsumeResult = {
          verdict: VERDICTS[reply[at]],
          windowRemaining: rateLimit ? Math.max(0, reply[at + 1]) : null,
          windowResetAt: rateLimit ? resetAt : null,
          windowResetInMs: rateLimit ? Math.max(0, resetInMs) : null,
          balance: creditsTag ? reply[at + 2] : null,
          creditsTag,
        };
        at += 3;
        return result;
      });
    });
  }

  /**
   * Redis's clock minus this process's, in ms, from one TIME round trip (its midpoint). In a
   * cluster TIME goes to any master, and the script reads its own node's clock: the nodes' clocks
   * must agree to well within the limiter's margin (NTP does).
   */
  async redisClockOffset(): Promise<number> {
    const sentAt = Date.now();
    const [seconds, micros] = await this.redis.time();
    const receivedAt = Date.now();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - (sentAt + receivedAt) / 2;
  }

  /**
   * Claims the right to seed the key's balance for `ttlMs`: one seeder at a time, so that no two
   * seeds read PostgreSQL in one order and reach Redis in the other (docs/credits.md).
   */
  async claimSeed(keyId: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.seedClaimKey(keyId), token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Gives a claim back without seeding (the key turned out to have no credits). */
  async releaseSeed(keyId: string, token: string): Promise<void> {
    await (this.redis as unknown as CreditsCommands).keywardReleaseSeed(this.seedClaimKey(keyId), token);
  }

  /**
   * Seeds the shared balance with one read from PostgreSQL and releases the claim `token` (see
   * SEED_CREDITS); false when a balance at least as new was already in place.
   */
  async seedCredits(keyId: string, seed: { balance: number } & CreditsTag, token = ''): Promise<boolean> {
    return (
      (await (this.redis as unknown as CreditsCommands).keywardSeedCredits(
        this.creditsKey(keyId),
        this.seedClaimKey(keyId),
        seed.balance,
        seed.version,
        seed.seed,
        token,
      )) !== 0
    );
  }

  /** Charges what PostgreSQL recorded against an older seed to the balance of `charge`'s seed (see APPLY_CHARGE). */
  async applyCharge(charge: CreditsCharge): Promise<void> {
    await (this.redis as unknown as CreditsCommands).keywardApplyCharge(
      this.creditsKey(charge.keyId),
      charge.version,
      charge.seed,
      charge.amount,
    );
  }

  /** Sets the shared balance to a PATCHed `remaining` (null: no credits) at `version`, keeping the key's seed. */
  async setCredits(keyId: string, balance: number | null, version: number, seed: number): Promise<void> {
    await (this.redis as unknown as CreditsCommands).keywardSetCredits(
      this.creditsKey(keyId),
      balance === null ? '' : balance,
      version,
      seed,
    );
  }

  /** Balance, version and seed of a key's shared balance, if Redis holds one (tests and diagnostics). */
  async readCredits(keyId: string): Promise<({ balance: number } & CreditsTag) | null> {
    const [balance, version, seed] = await this.redis.hmget(this.creditsKey(keyId), 'balance', 'version', 'seed');
    return balance == null || version == null || seed == null
      ? null
      : { balance: Number(balance), version: Number(version), seed: Number(seed) };
  }
}

interface CreditsCommands {
  keywardConsume(...args: Array<string | number>): Promise<unknown>;
  keywardSeedCredits(...args: Array<string | number>): Promise<unknown>;
  keywardReleaseSeed(...args: Array<string | number>): Promise<unknown>;
  keywardApplyCharge(...args: Array<string | number>): Promise<unknown>;
  keywardSetCredits(...args: Array<string | number>): Promise<unknown>;
}
