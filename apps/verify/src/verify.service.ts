// Orchestrates one verification: parse -> cache -> decide -> limit -> record usage.
import { decideBeforeLimits, hasLimits, parseApiKey, type VerifiableKey, type VerifyCode } from '@keyward/keys';
import { KEYWARD_CONFIG, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { CreditsWriteBack } from './credits-write-back';
import { KeyCache } from './key-cache';
import { Limiter, type LimitOutcome } from './limiter';
import { UsageRecorder } from './usage-recorder';
import type { VerifierPrincipal } from './verifier-authenticator';
import { VerifyMetrics } from './verify-metrics';
import type { VerifyAnswer, VerifyRequest } from './verify.schema';

export interface VerifyOutcome {
  body: VerifyAnswer;
  headers: Record<string, string>;
  /** The body as JSON, when it is known already (the answer of a key without limits is memoized). */
  json?: string;
}

@Injectable()
export class VerifyService {
  /**
   * The VALID answer of each cached key without limits, serialized once: it depends on the key
   * record alone, and a record is replaced, never changed, when the key changes (the entry dies
   * with the record). Building and serialising it per request took about 3 % of a warm
   * verification's CPU in a profile under load.
   */
  private readonly unlimitedValidAnswers = new WeakMap<VerifiableKey, VerifyOutcome>();

  constructor(
    private readonly keys: KeyCache,
    private readonly limiter: Limiter,
    private readonly usage: UsageRecorder,
    private readonly creditsWriteBack: CreditsWriteBack,
    private readonly metrics: VerifyMetrics,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async verify(verifier: VerifierPrincipal, request: VerifyRequest): Promise<VerifyOutcome> {
    // A string found in the cache was well-formed when it was loaded; any other is checked here,
    // from the string alone (MALFORMED asks no store).
    let cached: VerifiableKey | null | undefined | Promise<VerifiableKey | null> = this.keys.peek(verifier.tenantId, request.key);
    if (cached === undefined) {
      if (!parseApiKey(request.key, this.config.keyPrefix)) return this.answer(null, 'MALFORMED', null);
      cached = this.keys.load(verifier.tenantId, request.key);
    }
    const key = cached instanceof Promise ? await cached : cached;
    const cost = request.cost ?? 1;
    const decision = decideBeforeLimits(key, request, { now: Date.now(), tenantActive: verifier.tenantStatus === 'active' });
    if (decision !== 'LIMITS') {
      // Not VALID, so nothing is charged; a rate-limited key still reports its window.
      const window = key?.rateLimit ? await this.limiter.check(key, cost, false) : null;
      return this.answer(key, decision, window);
    }
    if (!hasLimits(key!)) return this.answer(key, 'VALID', null);
    const limits = await this.limiter.check(key!, cost, true);
    if (limits.verdict === 'VALID' && key!.remaining !== null && !limits.fallback) this.creditsWriteBack.noteCharged(key!.id);
    return this.answer(key, limits.verdict, limits);
  }

  private answer(key: VerifiableKey | null, code: VerifyCode, limits: LimitOutcome | null): VerifyOutcome {
    this.metrics.countVerification(code);
    if (!key) return { body: { valid: false, code }, headers: {} };
    this.usage.record(key.id, code, Date.now());
    if (code !== 'VALID' || limits !== null) return this.describe(key, code, limits);
    let memo = this.unlimitedValidAnswers.get(key);
    if (!memo) {
      memo = this.describe(key, code, null);
      memo.json = JSON.stringify(memo.body);
      this.unlimitedValidAnswers.set(key, memo);
    }
    return memo;
  }

  private describe(key: VerifiableKey, code: VerifyCode, limits: LimitOutcome | null): VerifyOutcome {
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
      // draft-ietf-httpapi-ratelimit-headers-10
      const resetSeconds = Math.ceil((limits.windowResetInMs ?? 0) / 1000);
      headers['ratelimit-policy'] = `"key";q=${key.rateLimit.limit};w=${key.rateLimit.windowSeconds}`;
      headers['ratelimit'] = `"key";r=${limits.windowRemaining};t=${resetSeconds}`;
      if (code === 'RATE_LIMITED') headers['retry-after'] = String(Math.max(1, resetSeconds));
      body.rateLimit = { limit: key.rateLimit.limit, remaining: limits.windowRemaining, resetAt: new Date(limits.windowResetAt).toISOString() };
    } else if (code === 'RATE_LIMITED') {
      // Redis unreachable and VERIFY_LIMITS_ON_REDIS_DOWN=deny: ask the caller to come back shortly.
      headers['retry-after'] = '1';
    }
    return { body, headers };
  }
}
