// The rules of the unused-key audit (docs/api.md, Policy: unusedKeyDays, unusedKeyAction), as
// plain functions of the key, the policy and the time.
import type { UnusedKeyAction } from '@keyward/policy';
import { keyStatus, type ApiKey } from '../../domain/api-key';

/** What the policy did about an unused key, as the report and the flag record it. */
export type UnusedKeyOutcome = 'reported' | 'disabled' | 'revoked';

export const OUTCOME_OF_ACTION: Readonly<Record<UnusedKeyAction, UnusedKeyOutcome>> = Object.freeze({
  report: 'reported',
  disable: 'disabled',
  revoke: 'revoked',
});

const STRICTNESS: Readonly<Record<UnusedKeyOutcome, number>> = Object.freeze({ reported: 0, disabled: 1, revoked: 2 });

/**
 * Whether `wanted` goes further than what was already done in this idle period. A policy made
 * stricter meanwhile escalates once (reported -> disabled -> revoked); the same or a milder one
 * leaves the key alone, so a key an admin re-enabled stays enabled until it goes idle again.
 */
export function goesFurther(wanted: UnusedKeyOutcome, done: UnusedKeyOutcome): boolean {
  return STRICTNESS[wanted] > STRICTNESS[done];
}

const DAY_MS = 86_400_000;

/** The start of the key's idle period: its latest VALID verification, or its creation if never used. */
export function idleSince(key: Pick<ApiKey, 'lastUsedAt' | 'createdAt'>): Date {
  return key.lastUsedAt ?? key.createdAt;
}

/** A key counts as unused when it is neither revoked nor expired and has been idle for `unusedKeyDays` or more. */
export function isUnused(
  key: Pick<ApiKey, 'lastUsedAt' | 'createdAt' | 'revokedAt' | 'expiresAt' | 'enabled'>,
  unusedKeyDays: number,
  now: Date,
): boolean {
  const status = keyStatus(key, now);
  if (status === 'revoked' || status === 'expired') return false;
  return idleSince(key).getTime() <= now.getTime() - unusedKeyDays * DAY_MS;
}
