// Orchestrates one verification: parse -> cache (key, then its owner) -> decide -> limit -> record usage.
import {
  KeyCounters,
  ScopeQueryCache,
  ScopeQueryError,
  decideBeforeLimits,
  parseApiKey,
  type VerifiableKey,
  type VerifiableOwner,
  type VerifyCode,
  type VerifyRequestFacts,
} from '@keyward/keys';
import { DomainError, KEYWARD_CONFIG, ValidationFailedError, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ChargePlans } from './charge-plan';
import { KeyCache } from './key-cache';
import { Limiter, type LimitOutcome } from './limiter';
import { OwnerCache } from './owner-cache';
import { RoleCache } from './role-cache';
import { UsageRecorder } from './usage-recorder';
import type { VerifierPrincipal } from './verifier-authenticator';
import { ValidAnswer, describeAnswer, type VerifyOutcome } from './verify-answer';
import { VerifyMetrics } from './verify-metrics';
import type { VerifyRequest } from './verify.schema';

/** A retried verification's answer, marked as the admin API marks its replays. */
function replay(outcome: VerifyOutcome): VerifyOutcome {
  return { ...outcome, headers: { ...outcome.headers, 'idempotent-replayed': 'true' } };
}

/** How many key records' VALID answers are kept ready: the hot keys of a busy process. */
const VALID_ANSWERS_KEPT = 10_000;

/** A retried verification (docs/api.md, Retries of a verification): its Idempotency-Key and a hash of its body. */
export interface VerifyRetry {
  key: string;
  requestHash: string;
}

export class VerifyIdempotencyKeyReusedError extends DomainError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with another verification request within the last 60 seconds.');
  }
}

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
  private readonly plans: ChargePlans;
  /** Each distinct scopeQuery parsed once while it is in use. */
  private readonly scopeQueries = new ScopeQueryCache();

  constructor(
    private readonly keys: KeyCache,
    private readonly owners: OwnerCache,
    private readonly roles: RoleCache,
    private readonly limiter: Limiter,
    private readonly usage: UsageRecorder,
    private readonly metrics: VerifyMetrics,
    private readonly counters: KeyCounters,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {
    this.plans = new ChargePlans(counters);
  }

  /**
   * The answer, without a promise when no store needs asking: a cached key (and owner) whose
   * answer needs no counters (no limits, or refused before them). Every other case resolves later.
   */
  verify(verifier: VerifierPrincipal, request: VerifyRequest, retry?: VerifyRetry): VerifyOutcome | Promise<VerifyOutcome> {
    // A bad scopeQuery is the caller's mistake whatever the key: 400 before any store is asked.
    const facts: VerifyRequestFacts = request.scopeQuery === undefined ? request : this.withParsedQuery(request);
    // A string found in the cache was well-formed when it was loaded; any other is checked here,
    // from the string alone (MALFORMED asks no store).
    const cached = this.keys.peek(verifier.tenantId, request.key);
    if (cached !== undefined) return this.withOwner(verifier, request, facts, cached, retry);
    if (!parseApiKey(request.key, this.config.keyPrefix)) return this.answer(null, null, 'MALFORMED', null);
    return this.keys.load(verifier.tenantId, request.key).then((key) => this.withOwner(verifier, request, facts, key, retry));
  }

  private withParsedQuery(request: VerifyRequest): VerifyRequestFacts {
    try {
      return { scopes: request.scopes, ip: request.ip, parsedScopeQuery: this.scopeQueries.get(request.scopeQuery!) };
    } catch (error) {
      if (!(error instanceof ScopeQueryError)) throw error;
      throw new ValidationFailedError([{ field: 'scopeQuery', message: error.message }]);
    }
  }

  /** A key with an owner id is decided with its owner record (null: none), from the owner cache. */
  private withOwner(
    verifier: VerifierPrincipal,
    request: VerifyRequest,
    facts: VerifyRequestFacts,
    key: VerifiableKey | null,
    retry: VerifyRetry | undefined,
  ): VerifyOutcome | Promise<VerifyOutcome> {
    if (key === null || key.ownerId === null) return this.withRoles(verifier, request, facts, key, null, retry);
    const owner = this.owners.peek(key.tenantId, key.ownerId);
    if (owner !== undefined) return this.withRoles(verifier, request, facts, key, owner, retry);
    return this.owners.load(key.tenantId, key.ownerId).then((loaded) => this.withRoles(verifier, request, facts, key, loaded, retry));
  }

  /** A key with roles is decided on its effective scopes (its own and its roles'), resolved by the role cache. */
  private withRoles(
    verifier: VerifierPrincipal,
    request: VerifyRequest,
    facts: VerifyRequestFacts,
    key: VerifiableKey | null,
    owner: VerifiableOwner | null,
    retry: VerifyRetry | undefined,
  ): VerifyOutcome | Promise<VerifyOutcome> {
    if (key === null || key.roles.length === 0) return this.decide(verifier, request, facts, key, key, owner, retry);
    const effective = this.roles.withRoles(key);
    if (effective instanceof Promise) return effective.then((view) => this.decide(verifier, request, facts, key, view, owner, retry));
    return this.decide(verifier, request, facts, key, effective, owner, retry);
  }

  /**
   * `key` is the record the counters know (its charge plan is kept per record); `view` the same key
   * with its effective scopes, which is decided and answered.
   */
  private decide(
    verifier: VerifierPrincipal,
    request: VerifyRequest,
    facts: VerifyRequestFacts,
    key: VerifiableKey | null,
    view: VerifiableKey | null,
    owner: VerifiableOwner | null,
    retry: VerifyRetry | undefined,
  ): VerifyOutcome | Promise<VerifyOutcome> {
    const decision = decideBeforeLimits(view, facts, { now: Date.now(), tenantActive: verifier.tenantStatus === 'active' });
    if (key === null || view === null) return this.answer(null, null, 'NOT_FOUND', null);
    const plan = this.plans.planFor(key, owner, request);
    if (decision !== 'LIMITS') {
      // Not VALID, so nothing is charged; a rate-limited key still reports its windows.
      if (plan === null || plan.limits.length === 0) return this.answered(verifier, request, view, owner, decision, null, retry);
      return this.limiter.check(plan, false).then((limits) => this.answered(verifier, request, view, owner, decision, limits, retry));
    }
    if (plan === null) return this.answered(verifier, request, view, owner, 'VALID', null, retry);
    const record = retry && {
      record: this.counters.idempotencyKey(plan.tag, verifier.credentialId, retry.key),
      requestHash: retry.requestHash,
    };
    return this.limiter.check(plan, true, record).then((limits) => {
      if (limits.verdict === 'REUSED') throw new VerifyIdempotencyKeyReusedError();
      const outcome = this.answer(view, owner, limits.verdict, limits, request.ip, limits.replayed);
      return limits.replayed ? replay(outcome) : outcome;
    });
  }

  /**
   * An answer decided without charging anything: with an Idempotency-Key, the first such decision
   * within 60 s is the answer to its retries too (a decision that charged is kept by the counter
   * script itself).
   */
  private answered(
    verifier: VerifierPrincipal,
    request: VerifyRequest,
    key: VerifiableKey,
    owner: VerifiableOwner | null,
    code: VerifyCode,
    limits: LimitOutcome | null,
    retry: VerifyRetry | undefined,
  ): VerifyOutcome | Promise<VerifyOutcome> {
    if (!retry) return this.answer(key, owner, code, limits, request.ip);
    return this.counters.recordDecision(key.counterTag, verifier.credentialId, retry.key, retry.requestHash, code).then((first) => {
      if (first === null) throw new VerifyIdempotencyKeyReusedError();
      if (!first.replayed) return this.answer(key, owner, code, limits, request.ip);
      return replay(this.answer(key, owner, first.code as VerifyCode, first.code === code ? limits : null, request.ip, true));
    });
  }

  /**
   * The answer of `code`; counted (metrics, usage, the signals' facts) unless it is the replay of
   * a retried verification, which was counted when it was first decided.
   */
  private answer(
    key: VerifiableKey | null,
    owner: VerifiableOwner | null,
    code: VerifyCode,
    limits: LimitOutcome | null,
    ip?: string,
    replayed = false,
  ): VerifyOutcome {
    if (!replayed) this.metrics.countVerification(code);
    if (!key) {
      let keyless = this.keylessAnswers.get(code);
      if (!keyless)
        this.keylessAnswers.set(code, (keyless = { json: JSON.stringify({ valid: false, code }), headers: {}, code, key: null }));
      return keyless;
    }
    if (!replayed) this.usage.record(key.id, code, Date.now(), limits, ip);
    if (code !== 'VALID') {
      const { body, headers } = describeAnswer(key, owner, code, limits);
      return { json: JSON.stringify(body), headers, code, key };
    }
    let valid = this.validAnswers.get(key);
    if (!valid || valid.owner !== owner) this.validAnswers.set(key, (valid = new ValidAnswer(key, owner)));
    return limits === null ? valid.unlimited : valid.withLimits(limits);
  }
}
