// The shared counters of keys and owners in Redis: named rate limits (fixed windows and exact
// sliding logs) and credit pools, all checked and charged by one Lua script, so limits are exact
// however many verify processes serve a key. A verification is charged to every limit and pool it
// applies, or to none (docs/credits.md, docs/architecture.md). Every counter of a key shares one
// hash tag: the key's id, or for a key with an owner id the owner's, so that the key's counters and
// its owner's live in one cluster slot. A balance is only ever seeded from PostgreSQL.
import { KEYWARD_CONFIG, REDIS_CLIENT, type KeywardConfig, type RedisClient } from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { CreditRefill } from '../domain/credits';
import type { LimitAlgorithm } from '../domain/rate-limits';

/**
 * UNSEEDED: a pool of the call has credits but Redis holds no balance for it at the record's
 * version (first use, or Redis lost it): nothing of the call was charged; seed and ask again.
 * REUSED: the call's idempotency key was used within its lifetime for another request.
 */
export type CounterVerdict = 'VALID' | 'RATE_LIMITED' | 'USAGE_EXCEEDED' | 'UNSEEDED' | 'TOO_LATE' | 'REUSED';

/** A credit pool: a key's own credits, or an owner's shared by its keys (the owner row's uuid). */
export interface PoolRef {
  kind: 'key' | 'owner';
  id: string;
}

/** A limit of a batch: its counter and what it allows. */
export interface LimitSpec {
  /** The counter's Redis key (see KeyCounters.limitKey). */
  counter: string;
  algorithm: LimitAlgorithm;
  limit: number;
  windowSeconds: number;
}

/** A credit pool of a batch, with what the record says of it. */
export interface PoolSpec {
  pool: PoolRef;
  /** The counter's Redis key (see KeyCounters.poolKey). */
  counter: string;
  /** The record's credits version: a Redis balance of an older version is outdated. */
  version: number;
  refill: CreditRefill | null;
}

/**
 * One verification's share of a batch: the limits and pools it applies, each with its cost. Calls
 * that share their `limits` and `pools` arrays (and consume alike, without idempotency) go to
 * Redis as one run.
 */
export interface CounterCall {
  /** false: only read the counters (for the headers of an answer that is not VALID). */
  consume: boolean;
  /** [index into the batch's limits, cost]. */
  limits: Array<[number, number]>;
  /** [index into the batch's pools, cost]. */
  pools: Array<[number, number]>;
  /** A retried verification is answered from this record, not charged again (docs/api.md, Retries). */
  idempotency?: { record: string; requestHash: string };
}

/**
 * Calls checked (and charged) in one atomic step, each decided on the counters the calls before it
 * left. A cluster runs a script on one slot only: there, every counter of a batch has one tag.
 */
export interface ConsumeBatch {
  /** Unique per batch: a retried or duplicated batch is answered, not charged, again. */
  operationId: string;
  /** The hash tag of the batch's marker: one of its counters'. */
  tag: string;
  /** Epoch ms on Redis's clock after which the batch must charge nothing (see redisClockOffset). */
  deadline?: number;
  /** Epoch ms the script takes as now instead of Redis's clock (tests of period boundaries). */
  now?: number;
  limits: LimitSpec[];
  pools: PoolSpec[];
  calls: CounterCall[];
}

export interface LimitState {
  /** Units left for the next call. */
  remaining: number;
  /** Epoch ms when the limit next has room again (the window's end; for a sliding log, its oldest entry's). */
  resetAt: number;
  /** Milliseconds until resetAt, by Redis's clock. */
  resetInMs: number;
  /** Whether this limit refused the call. */
  exceeded: boolean;
}

export interface CallResult {
  verdict: CounterVerdict;
  /** Answered from its idempotency record: the decision of an earlier call, nothing charged now. */
  replayed: boolean;
  /** Per limit of the call, in its order. */
  limits: LimitState[];
  /** Per pool of the call, in its order: credits left (null: unseeded). */
  balances: Array<number | null>;
}

export interface BatchResult {
  /** Per pool of the batch: the balance the calls were charged against (null: unseeded). */
  pools: Array<CreditsTag | null>;
  calls: CallResult[];
}

/** Which balance a charge was taken from (docs/credits.md): PostgreSQL's version and seed, and the refill period (-1: no refill). */
export interface CreditsTag {
  version: number;
  seed: number;
  period: number;
}

/** Credits charged to one pool's balance of one tag, to write back to PostgreSQL (negative: a top-up). */
export interface CreditsCharge extends CreditsTag {
  pool: PoolRef;
  /** When the refill period began (null: no refill), for the pool's refilledAt. */
  periodStart: Date | null;
  amount: number;
}

// The refill period of a pool at nowMs, as refillPeriod() in domain/credits.ts computes it:
// days since the epoch (daily, 1), or year * 12 + month0 of the month whose refill day began the
// period (monthly, 2). Civil dates from days after H. Hinnant's public-domain algorithm.
const PERIOD_OF = `
local function periodOf(interval, dayOfMonth, nowMs)
  local days = math.floor(nowMs / 86400000)
  if interval == 1 then return days end
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  local last = 31
  if m == 2 then
    last = ((y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0) and 29 or 28
  elseif m == 4 or m == 6 or m == 9 or m == 11 then
    last = 30
  end
  local refillDay = math.min(dayOfMonth, last)
  local period = y * 12 + (m - 1)
  if d < refillDay then period = period - 1 end
  return period
end
`;

// KEYS[1]: the batch's marker; KEYS[2..]: counters and idempotency records, named by index.
// ARGV: marker ttl ms, deadline (epoch ms on Redis's clock, 0: none), now (0: Redis's TIME),
// idempotency ttl ms, operation id; then L and per limit: counter index, algorithm (0 fixed,
// 1 sliding), limit, window ms; then P and per pool: counter index, version, refill interval
// (0 none, 1 daily, 2 monthly), refill amount, refill day; then R and per run of alike calls: how
// many calls, consume (1/0), idempotency record index (0: none), request hash, its number of
// limits and per limit [limit number, cost], its number of pools and per pool [pool number, cost].
// Under load most calls of a batch are alike (one hot key, cost 1): a run of them costs a few
// arguments instead of a dozen per call.
// Answer: {-1} when the batch reached Redis after its deadline (it charged nothing: its caller has
// stopped waiting). Else 0, then per pool its version, seed and period (-1 -1 -1: unseeded), then
// per run: 1 and the answer of its first call when the run was answered at once (see atOnce; the
// others are derived from it), else 0 and the answer of each call. A call's answer: verdict (0
// VALID, 1 RATE_LIMITED, 2 USAGE_EXCEEDED, 3 UNSEEDED, 5 REUSED; plus 10 for a call answered from
// its idempotency record, which charged nothing now), per limit of the call: remaining, reset at,
// ms to reset, exceeded (1/0), per pool of the call: balance (-1: unseeded).
// A call is VALID only if every limit and pool it applies has room for its cost; then all of them
// are charged, else none. A pool whose balance is missing, of an older version than the record's,
// or without a seed makes the call UNSEEDED (nothing decided or charged). A refill due since the
// balance's period sets the balance to the refill amount once, at the first call that reads it.
// Fixed windows are aligned on Redis's clock; a sliding limit keeps one entry per unit charged in
// a sorted set, so no interval of its window holds more than its limit. Counters are read once per
// batch and written once at its end.
const CONSUME = `${PERIOD_OF}
local prior = redis.call('GET', KEYS[1])
if prior then
  local answered = {}
  for field in string.gmatch(prior, '[^,]+') do answered[#answered + 1] = tonumber(field) end
  return answered
end
local now = tonumber(ARGV[3])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local deadline = tonumber(ARGV[2])
if deadline > 0 and now > deadline then return {-1} end
local opId = ARGV[5]
local at = 5
local function nextArg()
  at = at + 1
  return ARGV[at]
end
-- Entries of one counter (given twice in a batch: an owner's limit in the plans of two of its keys)
-- share one state: the first one given decides its settings.
local limits, pools, byKey = {}, {}, {}
for i = 1, tonumber(nextArg()) do
  local key = KEYS[tonumber(nextArg())]
  local sliding = nextArg() == '1'
  local limit = tonumber(nextArg())
  local windowMs = tonumber(nextArg())
  byKey[key] = byKey[key] or {key = key, sliding = sliding, limit = limit, windowMs = windowMs}
  limits[i] = byKey[key]
end
for i = 1, tonumber(nextArg()) do
  local key = KEYS[tonumber(nextArg())]
  local version = tonumber(nextArg())
  local interval = tonumber(nextArg())
  local amount = tonumber(nextArg())
  local day = tonumber(nextArg())
  byKey[key] = byKey[key] or {key = key, version = version, interval = interval, amount = amount, day = day}
  pools[i] = byKey[key]
end

local function loadLimit(l)
  if l.used then return end
  if l.sliding then
    redis.call('ZREMRANGEBYSCORE', l.key, '-inf', now - l.windowMs)
    l.used = redis.call('ZCARD', l.key)
    l.added = {}
  else
    l.index = math.floor(now / l.windowMs)
    l.resetAt = (l.index + 1) * l.windowMs
    local w = redis.call('HMGET', l.key, 'w', 'n')
    l.used, l.same = 0, false
    if tonumber(w[1]) == l.index then l.used, l.same = tonumber(w[2]), true end
  end
  l.before = l.used
end

-- When a sliding limit next has room for cost units: when its (used + cost - limit)-th oldest entry
-- leaves the window (entries added by this batch are at now).
local function slidingResetAt(l, cost)
  local need = math.max(1, l.used + cost - l.limit)
  local stored = l.used - #l.added
  if need <= stored then
    local entry = redis.call('ZRANGE', l.key, need - 1, need - 1, 'WITHSCORES')
    if entry[2] then return tonumber(entry[2]) + l.windowMs end
  end
  if l.used == 0 then return now end
  return now + l.windowMs
end

local function loadPool(p)
  if p.loaded then return end
  p.loaded = true
  local c = redis.call('HMGET', p.key, 'balance', 'version', 'seed', 'period')
  p.balance, p.held, p.seed, p.period = tonumber(c[1]), tonumber(c[2]), tonumber(c[3]), tonumber(c[4]) or -1
  if p.balance == nil or p.held == nil or p.seed == nil or p.held < p.version then
    p.unseeded = true
    return
  end
  p.before = p.balance
  if p.interval > 0 then
    local current = periodOf(p.interval, p.day, now)
    if current > p.period then p.balance, p.period, p.refilled = p.amount, current, true end
  end
end

local calls, consumes, decided = {}, false, false
local c = 0

-- One call: its answer (verdict, per limit remaining, reset at, ms to reset, exceeded, per pool
-- balance), charged if VALID and consuming, or answered from its idempotency record.
local function decideCall(consume, record, requestHash, cl, cp)
  if record > 0 then
    local stored = redis.call('GET', KEYS[record])
    if stored then
      local bar = string.find(stored, '|', 1, true)
      local out
      if string.sub(stored, 1, bar - 1) == requestHash then
        out = {}
        for field in string.gmatch(string.sub(stored, bar + 1), '[^,]+') do out[#out + 1] = tonumber(field) end
        -- A replay: its verdict + 10, so that the caller writes back no charge for it.
        out[1] = out[1] + 10
      else
        out = {5}
        for _ = 1, #cl do out[#out + 1] = 0; out[#out + 1] = 0; out[#out + 1] = 0; out[#out + 1] = 0 end
        for _ = 1, #cp do out[#out + 1] = -1 end
      end
      return out
    end
  end
  local exceeded, short, unseeded = false, false, false
  for _, entry in ipairs(cl) do
    loadLimit(entry[1])
    if entry[1].used + entry[2] > entry[1].limit then exceeded = true end
  end
  for _, entry in ipairs(cp) do
    loadPool(entry[1])
    if entry[1].unseeded then unseeded = true elseif entry[1].balance < entry[2] then short = true end
  end
  local verdict = 0
  if unseeded then verdict = 3 elseif exceeded then verdict = 1 elseif short then verdict = 2 end
  if consume then consumes = true end
  if verdict ~= 3 then decided = true end
  if verdict == 0 and consume then
    for _, entry in ipairs(cl) do
      local l, cost = entry[1], entry[2]
      if l.sliding then
        for u = 1, cost do
          l.added[#l.added + 1] = now
          l.added[#l.added + 1] = opId .. ':' .. c .. ':' .. u
        end
      end
      l.used = l.used + cost
    end
    for _, entry in ipairs(cp) do entry[1].balance = entry[1].balance - entry[2] end
  end
  local out = {verdict}
  for _, entry in ipairs(cl) do
    local l, cost = entry[1], entry[2]
    local resetAt = l.resetAt
    if l.sliding then resetAt = slidingResetAt(l, verdict == 1 and cost or 1) end
    out[#out + 1] = math.max(0, l.limit - l.used)
    out[#out + 1] = resetAt
    out[#out + 1] = math.max(0, resetAt - now)
    out[#out + 1] = (verdict == 1 and l.used + cost > l.limit) and 1 or 0
  end
  for _, entry in ipairs(cp) do out[#out + 1] = entry[1].unseeded and -1 or entry[1].balance end
  if record > 0 and verdict ~= 3 then
    local digits = {}
    for i = 1, #out do digits[i] = string.format('%d', out[i]) end
    redis.call('SET', KEYS[record], requestHash .. '|' .. table.concat(digits, ','), 'PX', ARGV[4])
  end
  return out
end

-- Whether the count alike calls of a run can be answered at once (docs/architecture.md, One
-- answer per run): calls that only read (each sees what the one before it saw), or calls that
-- all fit together in every limit and pool of theirs (each is VALID, charged in turn). Not for a
-- sliding limit charged (each unit is an entry of its own) nor a counter given twice in a call.
local function atOnce(count, consume, cl, cp)
  local seen = {}
  for _, entry in ipairs(cl) do
    local l = entry[1]
    if seen[l] or (consume and l.sliding) then return false end
    seen[l] = true
    loadLimit(l)
    if consume and l.used + count * entry[2] > l.limit then return false end
  end
  for _, entry in ipairs(cp) do
    local p = entry[1]
    if seen[p] then return false end
    seen[p] = true
    loadPool(p)
    if consume and (p.unseeded or p.balance < count * entry[2]) then return false end
  end
  return true
end

local function append(out)
  for _, v in ipairs(out) do calls[#calls + 1] = v end
end

for _ = 1, tonumber(nextArg()) do
  local count = tonumber(nextArg())
  local consume = nextArg() == '1'
  local record = tonumber(nextArg())
  local requestHash = nextArg()
  local cl, cp = {}, {}
  for j = 1, tonumber(nextArg()) do
    local limit = limits[tonumber(nextArg())]
    cl[j] = {limit, tonumber(nextArg())}
  end
  for j = 1, tonumber(nextArg()) do
    local pool = pools[tonumber(nextArg())]
    cp[j] = {pool, tonumber(nextArg())}
  end
  -- Per run: 1 and the first call's answer (the caller derives the others: each VALID one charged
  -- its costs after the one before), or 0 and each call's answer.
  if record == 0 and count > 1 and atOnce(count, consume, cl, cp) then
    c = c + 1
    local out = decideCall(consume, 0, '', cl, cp)
    if consume then
      for _, entry in ipairs(cl) do entry[1].used = entry[1].used + (count - 1) * entry[2] end
      for _, entry in ipairs(cp) do entry[1].balance = entry[1].balance - (count - 1) * entry[2] end
    end
    c = c + count - 1
    calls[#calls + 1] = 1
    append(out)
  else
    calls[#calls + 1] = 0
    for _ = 1, count do
      c = c + 1
      append(decideCall(consume, record, requestHash, cl, cp))
    end
  end
end
local written = {}
for _, l in ipairs(limits) do
  if l.used and l.used > l.before and not written[l.key] then
    written[l.key] = true
    if l.sliding then
      for i = 1, #l.added, 1000 do
        redis.call('ZADD', l.key, unpack(l.added, i, math.min(i + 999, #l.added)))
      end
      redis.call('PEXPIRE', l.key, l.windowMs + 1000)
    elseif l.same then
      redis.call('HINCRBY', l.key, 'n', l.used - l.before)
    else
      redis.call('HSET', l.key, 'w', l.index, 'n', l.used)
      redis.call('PEXPIREAT', l.key, l.resetAt + 1000)
    end
  end
end
local result = {0}
for _, p in ipairs(pools) do
  if p.unseeded or not p.loaded then
    result[#result + 1] = -1; result[#result + 1] = -1; result[#result + 1] = -1
  else
    if written[p.key] then
      -- written for an earlier entry of the same pool
    elseif p.refilled then
      redis.call('HSET', p.key, 'balance', p.balance, 'period', p.period)
    elseif p.balance ~= p.before then
      redis.call('HINCRBY', p.key, 'balance', p.balance - p.before)
    end
    written[p.key] = true
    result[#result + 1] = p.held; result[#result + 1] = p.seed; result[#result + 1] = p.period
  end
end
for _, v in ipairs(calls) do result[#result + 1] = v end
if consumes and decided then
  local digits = {}
  for i = 1, #result do digits[i] = string.format('%d', result[i]) end
  redis.call('SET', KEYS[1], table.concat(digits, ','), 'PX', ARGV[1])
end
return result`;

// KEYS: pool hash, the pool's seed claim. ARGV: balance, version, seed, period (-1: none), all read
// from PostgreSQL in one statement that also bumped the seed, and the claim's token. Sets the
// balance unless one of a newer version, or of the same version and a seed at least as new, is in
// place. Charges that reached PostgreSQL after this seed was read but were made against an older
// seed wait in the hash as owed:<seed>:<period> (APPLY_CHARGE) and are taken off the balance here
// when they belong to its period; every other field goes. Releases the claim if still this seeder's.
const SEED_CREDITS = `
local current = redis.call('HMGET', KEYS[1], 'version', 'seed', 'owed:' .. ARGV[3] .. ':' .. ARGV[4])
local version, seed = tonumber(current[1]), tonumber(current[2])
local newVersion, newSeed = tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('GET', KEYS[2]) == ARGV[5] then redis.call('DEL', KEYS[2]) end
if version and seed and (version > newVersion or (version == newVersion and seed >= newSeed)) then return 0 end
local owed = tonumber(current[3]) or 0
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'balance', tonumber(ARGV[1]) - owed, 'version', ARGV[2], 'seed', ARGV[3], 'period', ARGV[4])
return 1`;

// KEYS: the pool's seed claim. ARGV: the token. Releases the claim if it is still this seeder's.
const RELEASE_SEED = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// KEYS: pool hash. ARGV: version, seed, period, amount. Charges credits that PostgreSQL recorded
// against an older seed than (version, seed), its current one, to that balance: at once if Redis
// holds it in the same period, later (owed:<seed>:<period>, taken by SEED_CREDITS) if that seed has
// not reached Redis yet; not at all once a refill has replaced the balance it was charged against.
const APPLY_CHARGE = `
local current = redis.call('HMGET', KEYS[1], 'version', 'seed', 'period')
local version, seed, period = tonumber(current[1]), tonumber(current[2]), tonumber(current[3]) or -1
local targetVersion, targetSeed, targetPeriod = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if version == targetVersion and seed == targetSeed then
  if period ~= targetPeriod then return 0 end
  redis.call('HINCRBY', KEYS[1], 'balance', -tonumber(ARGV[4]))
  return 1
end
if version == nil or version < targetVersion or (version == targetVersion and seed < targetSeed) then
  redis.call('HINCRBY', KEYS[1], 'owed:' .. ARGV[2] .. ':' .. ARGV[3], tonumber(ARGV[4]))
  return 2
end
return 0`;

// KEYS: pool hash. ARGV: balance (or '' to drop the balance), version, seed, period. Applies a
// change of credits through the API unless a newer version is already in place.
const SET_CREDITS = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if current > tonumber(ARGV[2]) then return 0 end
redis.call('DEL', KEYS[1])
if ARGV[1] == '' then return 1 end
redis.call('HSET', KEYS[1], 'balance', ARGV[1], 'version', ARGV[2], 'seed', ARGV[3], 'period', ARGV[4])
return 1`;

// KEYS: pool hash. ARGV: the record's version, refill interval, amount and day (as CONSUME), the
// change (signed), now (0: Redis's TIME). Adds the change to the seeded balance (after a refill due
// now) unless that would take it below zero. Answers {status, balance, version, seed, period}:
// status 0 applied, 1 below zero (nothing changed), 3 unseeded.
const ADJUST_CREDITS = `${PERIOD_OF}
local c = redis.call('HMGET', KEYS[1], 'balance', 'version', 'seed', 'period')
local balance, version, seed, period = tonumber(c[1]), tonumber(c[2]), tonumber(c[3]), tonumber(c[4]) or -1
if balance == nil or version == nil or seed == nil or version < tonumber(ARGV[1]) then return {3, 0, 0, 0, 0} end
local now = tonumber(ARGV[6])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local refilled = false
if tonumber(ARGV[2]) > 0 then
  local current = periodOf(tonumber(ARGV[2]), tonumber(ARGV[4]), now)
  if current > period then balance, period, refilled = tonumber(ARGV[3]), current, true end
end
local change = tonumber(ARGV[5])
if balance + change < 0 then return {1, balance, version, seed, period} end
balance = balance + change
redis.call('HSET', KEYS[1], 'balance', balance, 'period', period)
return {0, balance, version, seed, period}`;

// KEYS: a verification's decision record. ARGV: request hash, code, ttl ms. Answers the code first
// recorded for this Idempotency-Key (recording this one, and answering it after a '+', if none
// was), or '' when the record holds another request's.
const RECORD_DECISION = `
local stored = redis.call('GET', KEYS[1])
if not stored then
  redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
  return '+' .. ARGV[2]
end
local bar = string.find(stored, '|', 1, true)
if string.sub(stored, 1, bar - 1) ~= ARGV[1] then return '' end
return string.sub(stored, bar + 1)`;

// KEYS: counters. ARGV: their number of entries, then per entry its counter index and kind: 'f' (a
// fixed window: the window's index and the units to give back), 's' (a sliding log: the members'
// prefix and how many units), or 'p' (a pool: the version, seed and period charged and the amount).
// Gives back what calls answered without Redis had been charged (see KeyCounters.undo): each
// counter only if it is still the one charged (the same window, the same balance).
const UNDO = `
local at = 0
local function nextArg()
  at = at + 1
  return ARGV[at]
end
for _ = 1, tonumber(nextArg()) do
  local key = KEYS[tonumber(nextArg())]
  local kind = nextArg()
  if kind == 'f' then
    local index, units = tonumber(nextArg()), tonumber(nextArg())
    if tonumber(redis.call('HGET', key, 'w')) == index then redis.call('HINCRBY', key, 'n', -units) end
  elseif kind == 's' then
    local prefix, units = nextArg(), tonumber(nextArg())
    for u = 1, units do redis.call('ZREM', key, prefix .. ':' .. u) end
  else
    local version, seed, period, amount = tonumber(nextArg()), tonumber(nextArg()), tonumber(nextArg()), tonumber(nextArg())
    local c = redis.call('HMGET', key, 'version', 'seed', 'period')
    if tonumber(c[1]) == version and tonumber(c[2]) == seed and (tonumber(c[3]) or -1) == period then
      redis.call('HINCRBY', key, 'balance', amount)
    end
  end
end
return 0`;

const VERDICTS: Record<number, CounterVerdict> = { 0: 'VALID', 1: 'RATE_LIMITED', 2: 'USAGE_EXCEEDED', 3: 'UNSEEDED', 5: 'REUSED' };
/**
 * How long a batch's marker answers duplicates of it. A duplicate can only come from a client
 * retry within the caller's deadline (a quarter of a second), so a few seconds cover it without
 * keeping one key per batch alive for long.
 */
const OPERATION_TTL_MS = 5_000;
/** How long a verification's Idempotency-Key is remembered (docs/api.md, Retries of a verification). */
export const VERIFY_IDEMPOTENCY_TTL_MS = 60_000;

const REFILL_CODES = { daily: 1, monthly: 2 } as const;

function refillArgs(refill: CreditRefill | null): [number, number, number] {
  return refill ? [REFILL_CODES[refill.interval], refill.amount, refill.dayOfMonth ?? 1] : [0, 0, 1];
}

/** What an adjustment of a pool's balance did (see adjustCredits). */
export type AdjustOutcome = { status: 'applied' | 'below-zero'; balance: number; tag: CreditsTag } | { status: 'unseeded' };

/** Reads one call's answer from `reply` at `at` into `calls`; answers where the next one starts. */
function readCall(reply: number[], at: number, call: CounterCall, calls: CallResult[]): number {
  const code = reply[at++];
  const limits: LimitState[] = [];
  for (let j = 0; j < call.limits.length; j++, at += 4) {
    limits.push({ remaining: reply[at], resetAt: reply[at + 1], resetInMs: reply[at + 2], exceeded: reply[at + 3] === 1 });
  }
  const balances: Array<number | null> = [];
  for (let j = 0; j < call.pools.length; j++, at++) balances.push(reply[at] < 0 ? null : reply[at]);
  calls.push({ verdict: VERDICTS[code % 10], replayed: code >= 10, limits, balances });
  return at;
}

/**
 * The answer of the call after `previous` in a run answered at once: a VALID call that consumes
 * was charged its costs after the one before it; any other saw what the one before it saw.
 */
function chargedAfter(previous: CallResult, call: CounterCall): CallResult {
  if (previous.verdict !== 'VALID' || !call.consume) return previous;
  // Plain loops and literals: a spread per state took 9 % of a batch's CPU in a profile.
  const limits: LimitState[] = [];
  for (let j = 0; j < previous.limits.length; j++) {
    const state = previous.limits[j];
    limits.push({
      remaining: state.remaining - call.limits[j][1],
      resetAt: state.resetAt,
      resetInMs: state.resetInMs,
      exceeded: state.exceeded,
    });
  }
  const balances: Array<number | null> = [];
  for (let j = 0; j < previous.balances.length; j++) {
    const balance = previous.balances[j];
    balances.push(balance === null ? null : balance - call.pools[j][1]);
  }
  return { verdict: previous.verdict, replayed: false, limits, balances };
}

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
    // The limiter already sends one call of it per batch of checks: auto-pipelined, each call
    // would cost a pipeline of its own besides (docs/architecture.md, Limit checks in batches).
    (this.redis as { options?: { autoPipeliningIgnoredCommands?: string[] } }).options?.autoPipeliningIgnoredCommands?.push(
      'keywardConsume',
    );
    this.redis.defineCommand('keywardSeedCredits', { numberOfKeys: 2, lua: SEED_CREDITS });
    this.redis.defineCommand('keywardReleaseSeed', { numberOfKeys: 1, lua: RELEASE_SEED });
    this.redis.defineCommand('keywardApplyCharge', { numberOfKeys: 1, lua: APPLY_CHARGE });
    this.redis.defineCommand('keywardSetCredits', { numberOfKeys: 1, lua: SET_CREDITS });
    this.redis.defineCommand('keywardAdjustCredits', { numberOfKeys: 1, lua: ADJUST_CREDITS });
    this.redis.defineCommand('keywardRecordDecision', { numberOfKeys: 1, lua: RECORD_DECISION });
    this.redis.defineCommand('keywardUndo', { lua: UNDO });
    this.redis.defineCommand('keywardRefillPeriod', {
      numberOfKeys: 0,
      lua: `${PERIOD_OF} return periodOf(tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))`,
    });
  }

  /**
   * The hash tag of a key's counters: the key's id, or for a key with an owner id one derived from
   * the tenant and that id, shared by every key of the owner and by the owner's own counters.
   */
  static tagOf(key: { id: string; tenantId: string; ownerId: string | null }): string {
    return key.ownerId === null ? key.id : KeyCounters.ownerTag(key.tenantId, key.ownerId);
  }

  static ownerTag(tenantId: string, ownerId: string): string {
    return `o.${createHash('sha256').update(`${tenantId}\n${ownerId}`).digest('base64url').slice(0, 22)}`;
  }

  /** A named limit's counter: of a key (`subject` its id) or of the owner (`subject` null). */
  limitKey(tag: string, subject: string | null, name: string, algorithm: LimitAlgorithm): string {
    return `${this.prefix}rl:{${tag}}:${subject ?? 'owner'}:${name}:${algorithm === 'sliding' ? 's' : 'f'}`;
  }

  poolKey(tag: string, pool: PoolRef): string {
    return `${this.prefix}cr:{${tag}}:${pool.kind}:${pool.id}`;
  }

  private seedClaimKey(tag: string, pool: PoolRef): string {
    return `${this.prefix}seeding:{${tag}}:${pool.kind}:${pool.id}`;
  }

  /**
   * The record of a verification's Idempotency-Key, in the slot of the key's counters: `videm` for
   * a call of the charge script, `vdec` for a decision that charged nothing (recordDecision).
   */
  idempotencyKey(tag: string, verifierId: string, idempotencyKey: string, kind: 'videm' | 'vdec' = 'videm'): string {
    return `${this.prefix}${kind}:{${tag}}:${verifierId}:${createHash('sha256').update(idempotencyKey).digest('base64url')}`;
  }

  /**
   * Records the decision of a verification that charged nothing under its Idempotency-Key, and
   * answers the one first recorded (null: the key was used for another request within 60 s).
   */
  async recordDecision(
    tag: string,
    verifierId: string,
    idempotencyKey: string,
    requestHash: string,
    code: string,
  ): Promise<{ code: string; replayed: boolean } | null> {
    const record = this.idempotencyKey(tag, verifierId, idempotencyKey, 'vdec');
    const first = (await (this.redis as unknown as CounterCommands).keywardRecordDecision(
      record,
      requestHash,
      code,
      VERIFY_IDEMPOTENCY_TTL_MS,
    )) as string;
    if (first === '') return null;
    return first.startsWith('+') ? { code: first.slice(1), replayed: false } : { code: first, replayed: true };
  }

  /** The batch's answers, per call in order (see CONSUME). */
  async consumeBatch(batch: ConsumeBatch): Promise<BatchResult> {
    const keys: string[] = [`${this.prefix}op:{${batch.tag}}:${batch.operationId}`];
    const indexOf = new Map<string, number>();
    const counter = (name: string): number => {
      let index = indexOf.get(name);
      if (index === undefined) {
        keys.push(name);
        indexOf.set(name, (index = keys.length));
      }
      return index;
    };
    const args: Array<string | number> = [
      OPERATION_TTL_MS,
      batch.deadline ?? 0,
      batch.now ?? 0,
      VERIFY_IDEMPOTENCY_TTL_MS,
      batch.operationId,
    ];
    args.push(batch.limits.length);
    for (const limit of batch.limits)
      args.push(counter(limit.counter), limit.algorithm === 'sliding' ? 1 : 0, limit.limit, limit.windowSeconds * 1000);
    args.push(batch.pools.length);
    for (const pool of batch.pools) args.push(counter(pool.counter), pool.version, ...refillArgs(pool.refill));
    // Runs of alike calls: the same limits and pools (the same arrays: see CounterCall), the same
    // consume, no idempotency record. `runs` holds each run's length.
    const runsAt = args.push(0) - 1;
    const runs: number[] = [];
    for (let i = 0; i < batch.calls.length;) {
      const call = batch.calls[i];
      let count = 1;
      if (!call.idempotency) {
        while (i + count < batch.calls.length) {
          const next = batch.calls[i + count];
          if (next.idempotency || next.limits !== call.limits || next.pools !== call.pools || next.consume !== call.consume) break;
          count++;
        }
      }
      runs.push(count);
      args.push(count, call.consume ? 1 : 0, call.idempotency ? counter(call.idempotency.record) : 0, call.idempotency?.requestHash ?? '');
      args.push(call.limits.length);
      for (const [index, cost] of call.limits) args.push(index + 1, cost);
      args.push(call.pools.length);
      for (const [index, cost] of call.pools) args.push(index + 1, cost);
      i += count;
    }
    args[runsAt] = runs.length;
    // ioredis flattens its arguments one level: the lists go as they are, not spread.
    const reply = (await (this.redis as unknown as CounterCommands).keywardConsume(keys.length, keys, args)) as number[];
    if (reply[0] === -1) {
      return {
        pools: batch.pools.map(() => null),
        calls: batch.calls.map((call) => ({ verdict: 'TOO_LATE', replayed: false, limits: [], balances: call.pools.map(() => null) })),
      };
    }
    let at = 1;
    const pools = batch.pools.map(() => {
      const tag = reply[at] < 0 ? null : { version: reply[at], seed: reply[at + 1], period: reply[at + 2] };
      at += 3;
      return tag;
    });
    const calls: CallResult[] = [];
    for (const count of runs) {
      const atOnce = reply[at++] === 1;
      for (let k = 0; k < count; k++) {
        const call = batch.calls[calls.length];
        if (!atOnce || k === 0) {
          at = readCall(reply, at, call, calls);
        } else {
          calls.push(chargedAfter(calls[calls.length - 1], call));
        }
      }
    }
    return { pools, calls };
  }

  /**
   * Gives back what the calls `indexes` of a batch were charged (VALID calls that consumed), when
   * their answers were given without Redis because its reply came too late: a verification answered
   * as refused must not stay charged (docs/credits.md). Counters replaced since are left alone.
   */
  async undo(batch: ConsumeBatch, result: BatchResult, indexes: number[]): Promise<void> {
    const keys: string[] = [];
    const args: Array<string | number> = [];
    let entries = 0;
    const counter = (name: string): number => {
      const at = keys.indexOf(name);
      return at >= 0 ? at + 1 : keys.push(name);
    };
    for (const i of indexes) {
      const call = batch.calls[i];
      if (result.calls[i].verdict !== 'VALID' || result.calls[i].replayed || !call.consume) continue;
      call.limits.forEach(([index, cost], j) => {
        const limit = batch.limits[index];
        entries++;
        if (limit.algorithm === 'sliding') args.push(counter(limit.counter), 's', `${batch.operationId}:${i + 1}`, cost);
        else args.push(counter(limit.counter), 'f', result.calls[i].limits[j].resetAt / (limit.windowSeconds * 1000) - 1, cost);
      });
      for (const [index, cost] of call.pools) {
        const tag = result.pools[index];
        if (!tag) continue;
        entries++;
        args.push(counter(batch.pools[index].counter), 'p', tag.version, tag.seed, tag.period, cost);
      }
    }
    if (entries > 0) await (this.redis as unknown as CounterCommands).keywardUndo(keys.length, ...keys, entries, ...args);
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

  /** The refill period Redis's script computes for `atMs` (tests: it must agree with refillPeriod()). */
  async refillPeriodOnRedis(refill: Pick<CreditRefill, 'interval' | 'dayOfMonth'>, atMs: number): Promise<number> {
    return Number(
      await (this.redis as unknown as CounterCommands).keywardRefillPeriod(REFILL_CODES[refill.interval], refill.dayOfMonth ?? 1, atMs),
    );
  }

  /**
   * Claims the right to seed the pool's balance for `ttlMs`: one seeder at a time, so that no two
   * seeds read PostgreSQL in one order and reach Redis in the other (docs/credits.md).
   */
  async claimSeed(tag: string, pool: PoolRef, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.seedClaimKey(tag, pool), token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Gives a claim back without seeding (the pool turned out to have no credits). */
  async releaseSeed(tag: string, pool: PoolRef, token: string): Promise<void> {
    await (this.redis as unknown as CounterCommands).keywardReleaseSeed(this.seedClaimKey(tag, pool), token);
  }

  /**
   * Seeds the shared balance with one read from PostgreSQL and releases the claim `token` (see
   * SEED_CREDITS); false when a balance at least as new was already in place.
   */
  async seedCredits(tag: string, pool: PoolRef, seed: { balance: number } & CreditsTag, token = ''): Promise<boolean> {
    return (
      (await (this.redis as unknown as CounterCommands).keywardSeedCredits(
        this.poolKey(tag, pool),
        this.seedClaimKey(tag, pool),
        seed.balance,
        seed.version,
        seed.seed,
        seed.period,
        token,
      )) !== 0
    );
  }

  /** Charges what PostgreSQL recorded against an older seed than the pool's current one to that balance (see APPLY_CHARGE). */
  async applyCharge(tag: string, charge: CreditsCharge): Promise<void> {
    await (this.redis as unknown as CounterCommands).keywardApplyCharge(
      this.poolKey(tag, charge.pool),
      charge.version,
      charge.seed,
      charge.period,
      charge.amount,
    );
  }

  /** Sets the shared balance to credits changed through the API (null: none) at `tag`'s version, keeping the pool's seed. */
  async setCredits(tag: string, pool: PoolRef, balance: number | null, credits: CreditsTag): Promise<void> {
    await (this.redis as unknown as CounterCommands).keywardSetCredits(
      this.poolKey(tag, pool),
      balance === null ? '' : balance,
      credits.version,
      credits.seed,
      credits.period,
    );
  }

  /** Adds `change` (negative: takes it) to a seeded balance, never below zero (see ADJUST_CREDITS). */
  async adjustCredits(tag: string, spec: PoolSpec, change: number, now?: number): Promise<AdjustOutcome> {
    const [status, balance, version, seed, period] = (await (this.redis as unknown as CounterCommands).keywardAdjustCredits(
      spec.counter,
      spec.version,
      ...refillArgs(spec.refill),
      change,
      now ?? 0,
    )) as number[];
    if (status === 3) return { status: 'unseeded' };
    return { status: status === 0 ? 'applied' : 'below-zero', balance, tag: { version, seed, period } };
  }

  /** Balance, version, seed and period of a pool's shared balance, if Redis holds one (tests and diagnostics). */
  async readCredits(tag: string, pool: PoolRef): Promise<({ balance: number } & CreditsTag) | null> {
    const [balance, version, seed, period] = await this.redis.hmget(this.poolKey(tag, pool), 'balance', 'version', 'seed', 'period');
    return balance == null || version == null || seed == null
      ? null
      : { balance: Number(balance), version: Number(version), seed: Number(seed), period: period == null ? -1 : Number(period) };
  }
}

interface CounterCommands {
  keywardConsume(...args: Array<string | number | Array<string | number>>): Promise<unknown>;
  keywardSeedCredits(...args: Array<string | number>): Promise<unknown>;
  keywardReleaseSeed(...args: Array<string | number>): Promise<unknown>;
  keywardApplyCharge(...args: Array<string | number>): Promise<unknown>;
  keywardSetCredits(...args: Array<string | number>): Promise<unknown>;
  keywardAdjustCredits(...args: Array<string | number>): Promise<unknown>;
  keywardRefillPeriod(...args: Array<string | number>): Promise<unknown>;
  keywardRecordDecision(...args: Array<string | number>): Promise<unknown>;
  keywardUndo(...args: Array<string | number>): Promise<unknown>;
}
