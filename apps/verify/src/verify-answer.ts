// What verify answers for a key: the body and headers of docs/api.md (Verify), and the JSON of a VALID answer
// assembled from the parts of the key record that do not change between verifications.
import type { VerifiableKey, VerifyCode } from '@keyward/keys';
import type { LimitOutcome } from './limiter';
import type { VerifyAnswer } from './verify.schema';

export interface VerifyOutcome {
  /** The answer's body, serialized. */
  json: string;
  headers: Record<string, string>;
  /**
   * The verdict and the key record it is about (null for MALFORMED and NOT_FOUND), for the
   * routes that answer in headers instead of JSON (forward-auth-handler.ts). Two more fields
   * of the one object each answer already is: no allocation added (docs/architecture.md).
   */
  code: VerifyCode;
  key: VerifiableKey | null;
}

/** The answer to a verification of `key` (RateLimit headers as in draft-ietf-httpapi-ratelimit-headers-10). */
export function describeAnswer(
  key: VerifiableKey,
  code: VerifyCode,
  limits: LimitOutcome | null,
): { body: VerifyAnswer; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const body: VerifyAnswer = {
    valid: code === 'VALID',
    code,
    keyId: key.id,
    ownerId: key.ownerId,
    environment: key.environment,
    scopes: key.scopes,
    meta: key.meta,
    expiresAt: key.expiresAt === null ? null : new Date(key.expiresAt).toISOString(),
    remaining: limits?.balance ?? key.remaining,
  };
  if (key.rateLimit && limits && limits.windowResetAt !== null && limits.windowRemaining !== null) {
    const resetSeconds = secondsToReset(limits);
    Object.assign(headers, rateLimitHeaders(key.rateLimit, limits.windowRemaining, resetSeconds));
    if (code === 'RATE_LIMITED') headers['retry-after'] = String(Math.max(1, resetSeconds));
    body.rateLimit = {
      limit: key.rateLimit.limit,
      remaining: limits.windowRemaining,
      resetAt: new Date(limits.windowResetAt).toISOString(),
    };
  } else if (code === 'RATE_LIMITED') {
    // Redis unreachable and VERIFY_LIMITS_ON_REDIS_DOWN=deny: ask the caller to come back shortly.
    headers['retry-after'] = '1';
  }
  return { body, headers };
}

function secondsToReset(limits: LimitOutcome): number {
  return Math.ceil((limits.windowResetInMs ?? 0) / 1000);
}

function rateLimitHeaders(
  rateLimit: { limit: number; windowSeconds: number },
  windowRemaining: number,
  resetSeconds: number,
): Record<string, string> {
  return {
    'ratelimit-policy': `"key";q=${rateLimit.limit};w=${rateLimit.windowSeconds}`,
    ratelimit: `"key";r=${windowRemaining};t=${resetSeconds}`,
  };
}

/**
 * The VALID answers of one key record, equal to `describeAnswer(key, 'VALID', limits)` serialized.
 * Everything up to `remaining` depends on the record alone, so it is serialized once; what the
 * counters say is appended per answer. A record is replaced, never changed, when its key changes,
 * so an instance kept per record never goes stale. In profiles under load, building and
 * serializing the whole answer took about 3 % of a verification's CPU.
 */
export class ValidAnswer {
  /** The answer of a key without limits (the same every time), made on first use. */
  private unlimitedAnswer: VerifyOutcome | undefined;
  /** The answer's JSON up to the value of `remaining`, made on first use: a record cached by the million pays only for what it uses. */
  private head: string | undefined;
  /** The last window end seen and its ISO form: every answer of one window shares it. */
  private resetAt = Number.NaN;
  private resetAtIso = '';

  constructor(private readonly key: VerifiableKey) {}

  get unlimited(): VerifyOutcome {
    return (this.unlimitedAnswer ??= {
      json: JSON.stringify(describeAnswer(this.key, 'VALID', null).body),
      headers: {},
      code: 'VALID',
      key: this.key,
    });
  }

  withLimits(limits: LimitOutcome): VerifyOutcome {
    if (this.head === undefined) {
      const { remaining: _, ...fixed } = describeAnswer(this.key, 'VALID', null).body;
      this.head = `${JSON.stringify(fixed).slice(0, -1)},"remaining":`;
    }
    const remaining = limits.balance ?? this.key.remaining;
    const { rateLimit } = this.key;
    if (rateLimit === null || limits.windowResetAt === null || limits.windowRemaining === null) {
      return { json: `${this.head}${remaining}}`, headers: {}, code: 'VALID', key: this.key };
    }
    if (limits.windowResetAt !== this.resetAt) {
      this.resetAt = limits.windowResetAt;
      this.resetAtIso = new Date(limits.windowResetAt).toISOString();
    }
    return {
      json: `${this.head}${remaining},"rateLimit":{"limit":${rateLimit.limit},"remaining":${limits.windowRemaining},"resetAt":"${this.resetAtIso}"}}`,
      headers: rateLimitHeaders(rateLimit, limits.windowRemaining, secondsToReset(limits)),
      code: 'VALID',
      key: this.key,
    };
  }
}
