import { ValidationFailedError } from '@keyward/platform';

export type UnusedKeyAction = 'report' | 'disable' | 'revoke';

export const UNUSED_KEY_ACTIONS: readonly UnusedKeyAction[] = ['report', 'disable', 'revoke'];

/** What happens to a key reported leaked (docs/secret-scanning.md): revoked, disabled, or only recorded. */
export type LeakedKeyAction = 'revoke' | 'disable' | 'report';

export const LEAKED_KEY_ACTIONS: readonly LeakedKeyAction[] = ['revoke', 'disable', 'report'];

export interface TenantPolicy {
  unusedKeyDays: number | null;
  unusedKeyAction: UnusedKeyAction;
  maxKeyLifetimeDays: number | null;
  expiryWarningDays: number[];
  leakedKeyAction: LeakedKeyAction;
  /** key.credits_low when a balance falls to this percent of its refill amount or largest balance (docs/api.md, Usage signals). */
  creditsLowPercent: number;
  /** key.limit_near when a window of a limit is this percent used. */
  limitNearPercent: number;
  /** key.usage_spike when an hour's verifications exceed this many times the key's hourly average of the previous 7 days... */
  spikeFactor: number;
  /** ...and are at least this many. */
  spikeMinimum: number;
  /** key.new_source on a VALID verification from a network new to the key (off by default). */
  newSourceSignals: boolean;
}

/** The fields a PUT may leave out, each then its default (clients written before they existed keep working). */
export const OPTIONAL_POLICY_FIELDS = [
  'leakedKeyAction',
  'creditsLowPercent',
  'limitNearPercent',
  'spikeFactor',
  'spikeMinimum',
  'newSourceSignals',
] as const;

export type OptionalPolicyField = (typeof OPTIONAL_POLICY_FIELDS)[number];

/**
 * What a tenant has until it sets a policy: nothing enforced, warnings a week and a day ahead, a
 * key reported leaked revoked at once, and every usage signal but key.new_source.
 */
export const DEFAULT_POLICY: Readonly<TenantPolicy> = Object.freeze({
  unusedKeyDays: null,
  unusedKeyAction: 'report',
  maxKeyLifetimeDays: null,
  expiryWarningDays: [7, 1],
  leakedKeyAction: 'revoke',
  creditsLowPercent: 20,
  limitNearPercent: 75,
  spikeFactor: 5,
  spikeMinimum: 100,
  newSourceSignals: false,
});

/** `policy` with each optional field it leaves out set to its default. */
export function withPolicyDefaults(
  policy: Omit<TenantPolicy, OptionalPolicyField> & Partial<Pick<TenantPolicy, OptionalPolicyField>>,
): TenantPolicy {
  const complete = { ...policy } as TenantPolicy;
  for (const field of OPTIONAL_POLICY_FIELDS)
    if (complete[field] === undefined) (complete as unknown as Record<string, unknown>)[field] = DEFAULT_POLICY[field];
  return complete;
}

const DAY_MS = 86_400_000;

/**
 * The expiry a key gets under `maxKeyLifetimeDays`, counted from `issuedAt`: the requested one when
 * it is within the limit, the limit itself when none was requested, and a validation error naming
 * `field` when the request asks for more (or for no expiry at all).
 */
export function expiryWithinLifetime(
  policy: Pick<TenantPolicy, 'maxKeyLifetimeDays'>,
  issuedAt: Date,
  requested: Date | null | undefined,
  field = 'expiresAt',
): Date | null {
  if (policy.maxKeyLifetimeDays === null) return requested ?? null;
  const latest = new Date(issuedAt.getTime() + policy.maxKeyLifetimeDays * DAY_MS);
  if (requested === undefined) return latest;
  if (requested === null || requested.getTime() > latest.getTime()) {
    throw new ValidationFailedError([
      {
        field,
        message: `must be set and at most ${policy.maxKeyLifetimeDays} days after the key was issued (tenant policy maxKeyLifetimeDays)`,
      },
    ]);
  }
  return requested;
}
