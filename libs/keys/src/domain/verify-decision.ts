// docs/api.md, Verify codes: the codes in their order of precedence, the most permanent state first and the
// network before the permissions. This function decides everything that needs no counter; the
// limiter then decides RATE_LIMITED and USAGE_EXCEEDED, in that order, for a key that passed.
import type { CreditRefill } from './credits';
import { ipAllowed } from './ip-allowlist';
import type { NamedRateLimit } from './rate-limits';
import { satisfiesScopeQuery, type ScopeQuery } from './scope-query';
import { grantsAll } from './scopes';

export const VERIFY_CODES = [
  'VALID',
  'MALFORMED',
  'NOT_FOUND',
  'REVOKED',
  'EXPIRED',
  'DISABLED',
  'IP_NOT_ALLOWED',
  'INSUFFICIENT_SCOPE',
  'RATE_LIMITED',
  'USAGE_EXCEEDED',
] as const;

export type VerifyCode = (typeof VERIFY_CODES)[number];

/** What verify needs to know of a key: a subset of the stored key, cheap to cache. */
export interface VerifiableKey {
  id: string;
  tenantId: string;
  name: string;
  ownerId: string | null;
  environment: 'live' | 'test';
  /** The key's own scopes; in a record of effective scopes (see roles), its own and its roles'. */
  scopes: string[];
  /** The key's roles (docs/api.md, Roles); their scopes are added where verify resolves them. */
  roles: string[];
  meta: Record<string, unknown>;
  /** Epoch ms, or null for no expiry. */
  expiresAt: number | null;
  revoked: boolean;
  enabled: boolean;
  ipAllowlist: string[] | null;
  /** The key's named limits (docs/api.md, Rate limits). */
  rateLimits: NamedRateLimit[];
  /** The v1 view of rateLimits: the fixed, always-applied limit named `key`. */
  rateLimit: { limit: number; windowSeconds: number } | null;
  /** Credits as stored in PostgreSQL when the record was read; null = unlimited. */
  remaining: number | null;
  /** The version of `remaining` read with it: a seed of the shared balance carries it. */
  creditsVersion: number;
  creditsRefill: CreditRefill | null;
  /** The hash tag of the key's counters in Redis: its own id, or its owner's (KeyCounters.tagOf). */
  counterTag: string;
}

export interface VerifyRequestFacts {
  scopes?: string[];
  ip?: string;
  /** The request's scopeQuery, parsed (scope-query.ts). */
  parsedScopeQuery?: ScopeQuery;
}

/**
 * The answer from the key's own state, or 'LIMITS' when only the counters (rate limit, credits)
 * are left to decide: then the key needs the limiter, or is VALID when it has no limits.
 */
export function decideBeforeLimits(
  key: VerifiableKey | null,
  request: VerifyRequestFacts,
  context: { now: number; tenantActive: boolean },
): Exclude<VerifyCode, 'VALID' | 'MALFORMED' | 'RATE_LIMITED' | 'USAGE_EXCEEDED'> | 'LIMITS' {
  if (!key) return 'NOT_FOUND';
  if (key.revoked) return 'REVOKED';
  if (key.expiresAt !== null && key.expiresAt <= context.now) return 'EXPIRED';
  if (!key.enabled || !context.tenantActive) return 'DISABLED';
  if (key.ipAllowlist !== null && (request.ip === undefined || !ipAllowed(key.ipAllowlist, request.ip))) return 'IP_NOT_ALLOWED';
  if (request.scopes && request.scopes.length > 0 && !grantsAll(key.scopes, request.scopes)) return 'INSUFFICIENT_SCOPE';
  if (request.parsedScopeQuery !== undefined && !satisfiesScopeQuery(request.parsedScopeQuery, key.scopes)) return 'INSUFFICIENT_SCOPE';
  return 'LIMITS';
}
