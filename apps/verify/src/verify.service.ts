// Orchestrates one verification: parse -> cache -> decide -> limit -> record usage.
import { decideBeforeLimits, hasLimits, parseApiKey, type VerifiableKey, type VerifyCode } from '@keyward/keys';
import { KEYWARD_CONFIG, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { KeyCache } from './key-cache';
import { Limiter, type LimitOutcome } from './limiter';
import { UsageRecorder } from './usage-recorder';
import type { VerifierPrincipal } from './verifier-authenticator';
import { ValidAnswer, describeAnswer, type VerifyOutcome } from './verify-answer';
import { VerifyMetrics } from './verify-metrics';
import type { VerifyRequest } from './verify.schema';

/** How many key records' VALID answers are kept ready: the hot keys of a busy process. */
const VALID_ANSWERS_KEPT = 10_000;

@Injectable()
export class VerifyService {
  /**
   * The VALID answers of the key records verified most recently (see ValidAnswer). Bounded, not
   * one per cached record: a million keys each verified once would otherwise hold a million
   * serialised answers (about a third more memory per cached key) that few would use again.
   */
  private readonly validAnswers = new LRUCache<VerifiableKey, ValidAnswer>({ max: VALID_ANSWERS_KEPT });
  /** The answers without a key (MALFORMED, NOT_FOUND): one per code. */
  private readonly keylessAnswers = new Map<VerifyCode, VerifyOutcome>();

  constructor(
    private readonly keys: KeyCache,
    private readonly limiter: Limiter,
    private readonly usage: UsageRecorder,
    private readonly metrics: VerifyMetrics,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  /**
   * The answer, without a promise when no store needs asking: a cached key whose answer needs
   * no counters (no limits, or refused before them). Every other case resolves later.
   */
  verify(verifier: VerifierPrincipal, request: VerifyRequest): VerifyOutcome | Promise<VerifyOutcome> {
    // A string found in the cache was well-formed when it was loaded; any other is checked here,
    // from the string alone (MALFORMED asks no store).
    const cached = this.keys.peek(verifier.tenantId, request.key);
    if (cached !== undefined) return this.decide(verifier, request, cached);
    if (!parseApiKey(request.key, this.config.keyPrefix)) return this.answer(null, 'MALFORMED', null);
    return this.keys.load(verifier.tenantId, request.key).then((key) => this.decide(verifier, request, key));
  }

  private decide(verifier: VerifierPrincipal, request: VerifyRequest, key: VerifiableKey | null): VerifyOutcome | Promise<VerifyOutcome> {
    const cost = request.cost ?? 1;
    const decision = decideBeforeLimits(key, request, { now: Date.now(), tenantActive: verifier.tenantStatus === 'active' });
    if (decision !== 'LIMITS') {
      // Not VALID, so nothing is charged; a rate-limited key still reports its window.
      if (!key?.rateLimit) return this.answer(key, decision, null);
      return this.limiter.check(key, cost, false).then((window) => this.answer(key, decision, window));
    }
    if (!hasLimits(key!)) return this.answer(key, 'VALID', null);
    return this.limiter.check(key!, cost, true).then((limits) => this.answer(key, limits.verdict, limits));
  }

  private answer(key: VerifiableKey | null, code: VerifyCode, limits: LimitOutcome | null): VerifyOutcome {
    this.metrics.countVerification(code);
    if (!key) {
      let keyless = this.keylessAnswers.get(code);
      if (!keyless)
        this.keylessAnswers.set(code, (keyless = { json: JSON.stringify({ valid: false, code }), headers: {}, code, key: null }));
      return keyless;
    }
    this.usage.record(key.id, code, Date.now());
    if (code !== 'VALID') {
      const { body, headers } = describeAnswer(key, code, limits);
      return { json: JSON.stringify(body), headers, code, key };
    }
    let valid = this.validAnswers.get(key);
    if (!valid) this.validAnswers.set(key, (valid = new ValidAnswer(key)));
    return limits === null ? valid.unlimited : valid.withLimits(limits);
  }
}
