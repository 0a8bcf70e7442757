// What one verification charges (docs/api.md, Rate limits; docs/credits.md): the limits of the key
// and of its owner that apply to it, and their credit pools, each with its cost, as the counter
// script takes them. A plan depends on the key record, the owner record and the request's limits
// and cost only, so the plan of a request that names no limit and costs 1 (nearly all) is made
// once per pair of records and reused.
import {
  type KeyCounters,
  type LimitSpec,
  type NamedRateLimit,
  type PoolSpec,
  type VerifiableKey,
  type VerifiableOwner,
} from '@keyward/keys';
import { ValidationFailedError } from '@keyward/platform';
import type { VerifyRequest } from './verify.schema';

export interface AppliedLimit {
  name: string;
  scope: 'key' | 'owner';
  limit: NamedRateLimit;
  spec: LimitSpec;
}

export interface ChargePlan {
  tenantId: string;
  /** The hash tag every counter of the plan shares. */
  tag: string;
  limits: AppliedLimit[];
  /** [limit index, cost] per applied limit, in order. */
  limitCosts: Array<[number, number]>;
  pools: PoolSpec[];
  poolScopes: Array<'key' | 'owner'>;
  /** [pool index, cost] per pool, in order. */
  poolCosts: Array<[number, number]>;
}

export class ChargePlans {
  /** The default plan (no named limits, cost 1) per key record, with the owner record it was made for. */
  private readonly defaults = new WeakMap<VerifiableKey, { owner: VerifiableOwner | null; plan: ChargePlan | null }>();

  constructor(private readonly counters: KeyCounters) {}

  /** The plan of a verification, or null when nothing is to be charged (no limits, no credits). */
  planFor(key: VerifiableKey, owner: VerifiableOwner | null, request: VerifyRequest): ChargePlan | null {
    const cost = request.cost ?? 1;
    if (request.rateLimits === undefined && cost === 1) {
      const known = this.defaults.get(key);
      if (known && known.owner === owner) return known.plan;
      const plan = this.make(key, owner, 1, undefined);
      this.defaults.set(key, { owner, plan });
      return plan;
    }
    return this.make(key, owner, cost, request.rateLimits);
  }

  private make(key: VerifiableKey, owner: VerifiableOwner | null, cost: number, named: VerifyRequest['rateLimits']): ChargePlan | null {
    const requested = new Map<string, number>();
    named?.forEach((entry) => requested.set(entry.name, entry.cost ?? cost));
    const tag = key.counterTag;
    const plan: ChargePlan = { tenantId: key.tenantId, tag, limits: [], limitCosts: [], pools: [], poolScopes: [], poolCosts: [] };
    const found = new Set<string>();
    const add = (limits: NamedRateLimit[], scope: 'key' | 'owner'): void => {
      for (const limit of limits) {
        const named = requested.get(limit.name);
        if (named !== undefined) found.add(limit.name);
        if (limit.apply === 'on-request' && named === undefined) continue;
        const spec: LimitSpec = {
          counter: this.counters.limitKey(tag, scope === 'key' ? key.id : null, limit.name, limit.algorithm),
          algorithm: limit.algorithm,
          limit: limit.limit,
          windowSeconds: limit.windowSeconds,
        };
        plan.limitCosts.push([plan.limits.length, named ?? cost]);
        plan.limits.push({ name: limit.name, scope, limit, spec });
      }
    };
    add(key.rateLimits, 'key');
    if (owner) add(owner.rateLimits, 'owner');
    named?.forEach((entry, i) => {
      if (!found.has(entry.name))
        throw new ValidationFailedError([{ field: `rateLimits[${i}].name`, message: 'is not a limit of this key or of its owner' }]);
    });
    if (key.remaining !== null) {
      const pool = { kind: 'key' as const, id: key.id };
      plan.poolCosts.push([plan.pools.length, cost]);
      plan.pools.push({ pool, counter: this.counters.poolKey(tag, pool), version: key.creditsVersion, refill: key.creditsRefill });
      plan.poolScopes.push('key');
    }
    if (owner && owner.remaining !== null) {
      const pool = { kind: 'owner' as const, id: owner.id };
      plan.poolCosts.push([plan.pools.length, cost]);
      plan.pools.push({ pool, counter: this.counters.poolKey(tag, pool), version: owner.creditsVersion, refill: owner.creditsRefill });
      plan.poolScopes.push('owner');
    }
    return plan.limits.length === 0 && plan.pools.length === 0 ? null : plan;
  }
}
