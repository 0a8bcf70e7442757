// Named rate limits of keys and owners (docs/api.md, Rate limits): fixed windows aligned on the
// epoch, or exact sliding windows; applied on every verification or only when a request names
// them. The v1 `rateLimit` of a key is its fixed, always-applied limit named `key`.
import { ValidationFailedError } from '@keyward/platform';
import type { RateLimit } from './api-key';

export const LIMIT_ALGORITHMS = ['fixed', 'sliding'] as const;
export type LimitAlgorithm = (typeof LIMIT_ALGORITHMS)[number];
export const LIMIT_APPLY = ['always', 'on-request'] as const;
export type LimitApply = (typeof LIMIT_APPLY)[number];

export interface NamedRateLimit {
  name: string;
  limit: number;
  windowSeconds: number;
  algorithm: LimitAlgorithm;
  apply: LimitApply;
}

/** The name of the limit the v1 `rateLimit` field stands for. */
export const KEY_LIMIT_NAME = 'key';
export const MAX_RATE_LIMITS = 10;
/** A sliding limit keeps one entry per unit in its window: this bounds that log. */
export const MAX_SLIDING_LIMIT = 10_000;
export const LIMIT_NAME_PATTERN = /^[a-z0-9_-]{1,32}$/;

/** The v1 view of a list of named limits: the fixed, always-applied limit named `key`, if any. */
export function v1RateLimit(limits: readonly NamedRateLimit[]): RateLimit | null {
  const key = limits.find((limit) => limit.name === KEY_LIMIT_NAME);
  return key && key.algorithm === 'fixed' && key.apply === 'always' ? { limit: key.limit, windowSeconds: key.windowSeconds } : null;
}

/** `limits` with its `key` limit replaced by the v1 `rateLimit` (removed when null), first in the list. */
export function withV1RateLimit(limits: readonly NamedRateLimit[], rateLimit: RateLimit | null): NamedRateLimit[] {
  const others = limits.filter((limit) => limit.name !== KEY_LIMIT_NAME);
  if (rateLimit === null) return others;
  return [
    { name: KEY_LIMIT_NAME, limit: rateLimit.limit, windowSeconds: rateLimit.windowSeconds, algorithm: 'fixed', apply: 'always' },
    ...others,
  ];
}

/** Fills the defaults of a limit given through the API. */
export function namedRateLimit(input: {
  name: string;
  limit: number;
  windowSeconds: number;
  algorithm?: LimitAlgorithm;
  apply?: LimitApply;
}): NamedRateLimit {
  return {
    name: input.name,
    limit: input.limit,
    windowSeconds: input.windowSeconds,
    algorithm: input.algorithm ?? 'fixed',
    apply: input.apply ?? 'always',
  };
}

export interface RateLimitInput {
  name: string;
  limit: number;
  windowSeconds: number;
  algorithm?: LimitAlgorithm;
  apply?: LimitApply;
}

/**
 * The named limits a create or replace sets, from the v1 `rateLimit` and the v1.1 `rateLimits`
 * (either, or both when they agree): names unique, a sliding limit at most MAX_SLIDING_LIMIT.
 */
export function resolveRateLimits(rateLimit: RateLimit | null | undefined, rateLimits: RateLimitInput[] | undefined): NamedRateLimit[] {
  const named = (rateLimits ?? []).map(namedRateLimit);
  const errors: Array<{ field: string; message: string }> = [];
  const seen = new Set<string>();
  named.forEach((limit, i) => {
    if (seen.has(limit.name)) errors.push({ field: `rateLimits[${i}].name`, message: 'must be unique in the list' });
    seen.add(limit.name);
    if (limit.algorithm === 'sliding' && limit.limit > MAX_SLIDING_LIMIT)
      errors.push({ field: `rateLimits[${i}].limit`, message: `must be at most ${MAX_SLIDING_LIMIT} for a sliding limit` });
  });
  if (rateLimit !== undefined && rateLimits !== undefined) {
    const v1 = v1RateLimit(named);
    const agree =
      rateLimit === null
        ? !seen.has(KEY_LIMIT_NAME)
        : v1 !== null && v1.limit === rateLimit.limit && v1.windowSeconds === rateLimit.windowSeconds;
    if (!agree) errors.push({ field: 'rateLimit', message: `must agree with the limit named "${KEY_LIMIT_NAME}" in rateLimits` });
  }
  if (errors.length > 0) throw new ValidationFailedError(errors);
  return rateLimits === undefined ? withV1RateLimit([], rateLimit ?? null) : named;
}
