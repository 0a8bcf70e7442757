// The shared counters of a key in Redis: its rate-limit window and its credit balance, checked and
// consumed by one Lua script, so limits are exact however many verify processes serve the key.
// Every Redis key of one API key carries the hash tag {<keyId>}: they live in one cluster slot.
import { KEYWARD_CONFIG, REDIS_CLIENT, type KeywardConfig, type RedisClient } from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';

export type CounterVerdict = 'VALID' | 'RATE_LIMITED' | 'USAGE_EXCEEDED' | 'TOO_LATE';

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
  /** Seed of the balance when Redis has none (first use, or after Redis lost it); null = no credits. */
  credits: { seedBalance: number; seedVersion: number } | null;
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
}

// KEYS: the batch's marker, then per key its window hash and credits hash. ARGV: marker ttl ms,
// deadline (epoch ms on Redis's clock, 0 = none), then per key: limit (0 = none), window ms, has
// credits (1/0), seed balance, seed version, number of calls, and per call its cost and consume
// (1/0). Each call is decided on the counters as the calls before it left them, exactly as if it
// had come alone; only VALID calls that consume are charged. A batch that reaches Redis after its
// deadline charges nothing and answers {-1}: its caller has stopped waiting and answered without
// it (a slow Redis must not charge late). Otherwise the answer is, per key, its window's end and
// the time to it, then per call: verdict (0 VALID, 1 RATE_LIMITED, 2 USAGE_EXCEEDED), units left
// in the window (-1: no window), balance (-1: no credits).
// Windows are fixed and aligned on Redis's own clock (TIME), so processes with skewed clocks agree.
// Each redis.call is a good part of the script's cost, so it makes as few as it can whatever the
// number of calls: per key one HMGET per hash and one write per hash (an increment within a
// window, whose expiry was set when it began); per batch one marker, as plain digits.
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
local result, consumes, a = {}, false, 3
for k = 2, #KEYS, 2 do
  local limit, windowMs, calls = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 5])
  local used, index, resetAt, sameWindow = 0, 0, 0, false
  if limit > 0 then
    index = math.floor(nowMs / windowMs)
    resetAt = (index + 1) * windowMs
    local window = redis.call('HMGET', KEYS[k], 'w', 'n')
    if tonumber(window[1]) == index then used, sameWindow = tonumber(window[2]), true end
  end
  local balance = -1
  if ARGV[a + 2] == '1' then
    -- Seed a missing balance; replace one older than the caller's record (a PATCH it missed).
    local credits = redis.call('HMGET', KEYS[k + 1], 'balance', 'version')
    if (tonumber(credits[2]) or -1) < tonumber(ARGV[a + 4]) then
      redis.call('HSET', KEYS[k + 1], 'balance', ARGV[a + 3], 'version', ARGV[a + 4])
      balance = tonumber(ARGV[a + 3])
    else
      balance = tonumber(credits[1])
    end
  end
  a = a + 6
  local usedBefore, balanceBefore = used, balance
  result[#result + 1] = resetAt
  result[#result + 1] = resetAt - nowMs
  for _ = 1, calls do
    local cost, consume = tonumber(ARGV[a]), ARGV[a + 1] == '1'
    a = a + 2
    local verdict = 0
    if limit > 0 and used + cost > limit then
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
if consumes then
  local digits = {}
  for i = 1, #result do digits[i] = string.format('%d', result[i]) end
  redis.call('SET', KEYS[1], table.concat(digits, ','), 'PX', ARGV[1])
end
return result`;

// KEYS: credits hash. ARGV: balance (or '' to drop the balance), version. Applies a PATCH of
// `remaining` unless a newer version is already in place.
const SET_CREDITS = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if current > tonumber(ARGV[2]) then return 0 end
if ARGV[1] == '' then redis.call('DEL', KEYS[1]) return 1 end
redis.call('HSET', KEYS[1], 'balance', ARGV[1], 'version', ARGV[2])
return 1`;

const VERDICTS: CounterVerdict[] = ['VALID', 'RATE_LIMITED', 'USAGE_EXCEEDED'];
const TOO_LATE: ConsumeResult = { verdict: 'TOO_LATE', windowRemaining: null, windowResetAt: null, windowResetInMs: null, balance: null };
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
    this.redis.defineCommand('keywardSetCredits', { numberOfKeys: 1, lua: SET_CREDITS });
  }

  creditsKey(keyId: string): string {
    return `${this.prefix}credits:{${keyId}}`;
  }

  /** Per key of the batch, its calls' results in their order (see CONSUME). */
  async consumeBatch(batch: ConsumeBatch): Promise<ConsumeResult[][]> {
    const keys: string[] = [`${this.prefix}op:{${batch.keys[0].keyId}}:${batch.operationId}`];
    const args: Array<string | number> = [OPERATION_TTL_MS, batch.deadline ?? 0];
    for (const { keyId, rateLimit, credits, calls } of batch.keys) {
      keys.push(`${this.prefix}window:{${keyId}}`, this.creditsKey(keyId));
      args.push(rateLimit?.limit ?? 0, (rateLimit?.windowSeconds ?? 1) * 1000, credits ? 1 : 0, credits?.seedBalance ?? 0, credits?.seedVersion ?? 0, calls.length);
      for (const call of calls) args.push(call.cost, call.consume ? 1 : 0);
    }
    const reply = (await (this.redis as unknown as ConsumeCommand).keywardConsume(keys.length, ...keys, ...args)) as number[];
    if (reply[0] === -1) return batch.keys.map(({ calls }) => calls.map(() => ({ ...TOO_LATE })));
    let at = 0;
    return batch.keys.map(({ rateLimit, credits, calls }) => {
      const resetAt = reply[at];
      const resetInMs = reply[at + 1];
      at += 2;
      return calls.map(() => {
        const result: ConsumeResult = {
          verdict: VERDICTS[reply[at]],
          windowRemaining: rateLimit ? Math.max(0, reply[at + 1]) : null,
          windowResetAt: rateLimit ? resetAt : null,
          windowResetInMs: rateLimit ? Math.max(0, resetInMs) : null,
          balance: credits ? reply[at + 2] : null,
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

  /** Sets the shared balance to a PATCHed `remaining` (null: no credits) at `version`. */
  async setCredits(keyId: string, balance: number | null, version: number): Promise<void> {
    await (this.redis as unknown as SetCreditsCommand).keywardSetCredits(this.creditsKey(keyId), balance === null ? '' : balance, version);
  }

  /**
   * Balance and version of each key that has one in Redis. One command per key, all sent at once:
   * each balance is in its own key's slot, and ioredis refuses a cluster pipeline whose keys live
   * on several masters. Any failure fails the whole read, so the caller retries every key of it.
   */
  async readCredits(keyIds: string[]): Promise<Array<{ keyId: string; balance: number; version: number }>> {
    const replies = await Promise.all(keyIds.map((keyId) => this.redis.hmget(this.creditsKey(keyId), 'balance', 'version')));
    return keyIds.flatMap((keyId, i) => {
      const [balance, version] = replies[i];
      return balance == null || version == null ? [] : [{ keyId, balance: Number(balance), version: Number(version) }];
    });
  }
}

interface ConsumeCommand {
  keywardConsume(...args: Array<string | number>): Promise<unknown>;
}

interface SetCreditsCommand {
  keywardSetCredits(...args: Array<string | number>): Promise<unknown>;
}
