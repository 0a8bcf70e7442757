// What verify answers for a key: the body and headers of docs/api.md (Verify), and the JSON of a VALID answer
// assembled from the parts of the key record that do not change between verifications.
import type { VerifiableKey, VerifiableOwner, VerifyCode } from '@keyward/keys';
import type { ChargePlan } from './charge-plan';
import type { LimitOutcome } from './limiter';
import type { AppliedLimitAnswer, VerifyAnswer } from './verify.schema';

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

/** A limit's name in the RateLimit headers: an owner's limits are prefixed `owner-`. */
function headerName(plan: ChargePlan, i: number): string {
  const { name, scope } = plan.limits[i];
  return scope === 'owner' ? `owner-${name}` : name;
}

const policies = new WeakMap<ChargePlan, string>();

/** `RateLimit-Policy` of a plan: the same for every answer of it. */
function policyHeader(plan: ChargePlan): string {
  let policy = policies.get(plan);
  if (policy === undefined) {
    policy = plan.limits.map(({ limit }, i) => `"${headerName(plan, i)}";q=${limit.limit};w=${limit.windowSeconds}`).join(', ');
    policies.set(plan, policy);
  }
  return policy;
}

/** The RateLimit headers (draft-ietf-httpapi-ratelimit-headers-10) of every applied limit, and Retry-After when refused. */
function limitHeaders(limits: LimitOutcome, code: VerifyCode): Record<string, string> {
  const headers: Record<string, string> = {};
  const { plan } = limits;
  if (limits.limits === null) {
    // Redis unreachable and VERIFY_LIMITS_ON_REDIS_DOWN=deny: ask the caller to come back shortly.
    if (code === 'RATE_LIMITED') headers['retry-after'] = '1';
    return headers;
  }
  if (plan.limits.length === 0) return headers;
  let state = '';
  let wait = 0;
  limits.limits.forEach((limit, i) => {
    const seconds = Math.ceil(limit.resetInMs / 1000);
    state += `${i === 0 ? '' : ', '}"${headerName(plan, i)}";r=${limit.remaining};t=${seconds}`;
    if (limit.exceeded) wait = Math.max(wait, seconds);
  });
  headers['ratelimit-policy'] = policyHeader(plan);
  headers.ratelimit = state;
  if (code === 'RATE_LIMITED') headers['retry-after'] = String(Math.max(1, wait));
  return headers;
}

/** The key's own balance and its owner's after this call, as far as the counters said. */
function balancesOf(key: VerifiableKey, limits: LimitOutcome | null): { remaining: number | null; ownerRemaining?: number } {
  let remaining = key.remaining;
  let ownerRemaining: number | undefined;
  limits?.plan.poolScopes.forEach((scope, i) => {
    const balance = limits.balances?.[i];
    if (balance === null || balance === undefined) return;
    if (scope === 'key') remaining = balance;
    else ownerRemaining = balance;
  });
  return { remaining, ownerRemaining };
}

function appliedLimits(limits: LimitOutcome): AppliedLimitAnswer[] {
  return limits.plan.limits.map((applied, i) => {
    const state = limits.limits![i];
    return {
      name: applied.name,
      scope: applied.scope,
      limit: applied.limit.limit,
      remaining: state.remaining,
      resetAt: new Date(state.resetAt).toISOString(),
      exceeded: state.exceeded,
    };
  });
}

/** The index of the v1 `rateLimit` among the applied limits: the key's fixed, always-applied limit named `key`. */
function v1LimitIndex(plan: ChargePlan): number {
  return plan.limits.findIndex(
    ({ name, scope, limit }) => scope === 'key' && name === 'key' && limit.algorithm === 'fixed' && limit.apply === 'always',
  );
}

/** The answer to a verification of `key` (and its `owner` record, if any). */
export function describeAnswer(
  key: VerifiableKey,
  owner: VerifiableOwner | null,
  code: VerifyCode,
  limits: LimitOutcome | null,
): { body: VerifyAnswer; headers: Record<string, string> } {
  const { remaining, ownerRemaining } = balancesOf(key, limits);
  const body: VerifyAnswer = {
    valid: code === 'VALID',
    code,
    keyId: key.id,
    name: key.name,
    ownerId: key.ownerId,
    environment: key.environment,
    scopes: key.scopes,
    roles: key.roles,
    meta: key.meta,
    expiresAt: key.expiresAt === null ? null : new Date(key.expiresAt).toISOString(),
  };
  if (code === 'VALID' && owner) body.owner = { ownerId: owner.ownerId, name: owner.name, meta: owner.meta };
  // In this order, the order ValidAnswer writes them in.
  body.remaining = remaining;
  if (!limits) return { body, headers: {} };
  if (limits.plan.pools.length > 0) body.credits = ownerRemaining === undefined ? { remaining } : { remaining, ownerRemaining };
  if (limits.limits !== null && limits.plan.limits.length > 0) {
    body.rateLimits = appliedLimits(limits);
    const v1 = v1LimitIndex(limits.plan);
    if (v1 >= 0) {
      const { limit, remaining: left, resetAt } = body.rateLimits[v1];
      body.rateLimit = { limit, remaining: left, resetAt };
    }
  }
  return { body, headers: limitHeaders(limits, code) };
}

/**
 * The VALID answers of one key record (with its owner record), equal to `describeAnswer(key,
 * owner, 'VALID', limits)` serialized. Everything up to `remaining` depends on the records alone,
 * so it is serialized once; what the counters say is appended per answer. A record is replaced,
 * never changed, when its key changes, so an instance kept per record never goes stale. In profiles
 * under load, building and serializing the whole answer took about 3 % of a verification's CPU.
 */
export class ValidAnswer {
  /** The answer of a key without limits (the same every time), made on first use. */
  private unlimitedAnswer: VerifyOutcome | undefined;
  /** The answer's JSON up to the value of `remaining`, made on first use: a record cached by the million pays only for what it uses. */
  private head: string | undefined;
  /** Per applied limit, the last reset time seen and its ISO form: every answer of one window shares it. */
  private readonly resetIso: Array<[number, string]> = [];

  constructor(
    private readonly key: VerifiableKey,
    readonly owner: VerifiableOwner | null,
  ) {}

  get unlimited(): VerifyOutcome {
    return (this.unlimitedAnswer ??= {
      json: JSON.stringify(describeAnswer(this.key, this.owner, 'VALID', null).body),
      headers: {},
      code: 'VALID',
      key: this.key,
    });
  }

  withLimits(limits: LimitOutcome): VerifyOutcome {
    if (this.head === undefined) {
      const { remaining: _, ...fixed } = describeAnswer(this.key, this.owner, 'VALID', null).body;
      this.head = `${JSON.stringify(fixed).slice(0, -1)},"remaining":`;
    }
    const { remaining, ownerRemaining } = balancesOf(this.key, limits);
    const { plan } = limits;
    let json = `${this.head}${remaining}`;
    if (plan.pools.length > 0) {
      json +=
        ownerRemaining === undefined
          ? `,"credits":{"remaining":${remaining}}`
          : `,"credits":{"remaining":${remaining},"ownerRemaining":${ownerRemaining}}`;
    }
    if (limits.limits === null || plan.limits.length === 0)
      return { json: `${json}}`, headers: limitHeaders(limits, 'VALID'), code: 'VALID', key: this.key };
    let list = '';
    let v1 = '';
    const v1Index = v1LimitIndex(plan);
    limits.limits.forEach((state, i) => {
      const applied = plan.limits[i];
      const iso = this.isoOf(i, state.resetAt);
      list += `${i === 0 ? '' : ','}{"name":"${applied.name}","scope":"${applied.scope}","limit":${applied.limit.limit},"remaining":${state.remaining},"resetAt":"${iso}","exceeded":${state.exceeded}}`;
      if (i === v1Index) v1 = `,"rateLimit":{"limit":${applied.limit.limit},"remaining":${state.remaining},"resetAt":"${iso}"}`;
    });
    return { json: `${json},"rateLimits":[${list}]${v1}}`, headers: limitHeaders(limits, 'VALID'), code: 'VALID', key: this.key };
  }

  private isoOf(i: number, resetAt: number): string {
    const known = this.resetIso[i];
    if (known && known[0] === resetAt) return known[1];
    const iso = new Date(resetAt).toISOString();
    this.resetIso[i] = [resetAt, iso];
    return iso;
  }
}
