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
}

/**
 * What a tenant has until it sets a policy: nothing enforced, warnings a week and a day ahead, and a
 * key reported leaked revoked at once.
 */
export const DEFAULT_POLICY: Readonly<TenantPolicy> = Object.freeze({
  unusedKeyDays: null,
  unusedKeyAction: 'report',
  maxKeyLifetimeDays: null,
  expiryWarningDays: [7, 1],
  leakedKeyAction: 'revoke',
});

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
