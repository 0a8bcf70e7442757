// Credit pools of keys and owners (docs/credits.md): a balance, and optionally a refill that SETS
// the balance to `amount` once per period: each day at 00:00 UTC, or each month on `dayOfMonth`
// (the month's last day where the month is shorter). Periods are numbered, so that "refilled in
// this period" is one comparison wherever it is decided: in Redis's charge script (the same rule
// in Lua, on Redis's clock), in PostgreSQL's write-back, and here for what the API shows.
import { ValidationFailedError } from '@keyward/platform';

export const REFILL_INTERVALS = ['daily', 'monthly'] as const;
export type RefillInterval = (typeof REFILL_INTERVALS)[number];

export interface CreditRefill {
  interval: RefillInterval;
  amount: number;
  /** Monthly refills only: 1..31, default 1. */
  dayOfMonth: number | null;
}

const DAY_MS = 86_400_000;

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/**
 * The number of the refill period `atMs` falls in: days since the epoch (daily), or year * 12 +
 * month (0-based) of the month whose refill day began the period (monthly).
 */
export function refillPeriod(refill: Pick<CreditRefill, 'interval' | 'dayOfMonth'>, atMs: number): number {
  if (refill.interval === 'daily') return Math.floor(atMs / DAY_MS);
  const at = new Date(atMs);
  const year = at.getUTCFullYear();
  const month0 = at.getUTCMonth();
  const refillDay = Math.min(refill.dayOfMonth ?? 1, daysInMonth(year, month0));
  const period = year * 12 + month0;
  return at.getUTCDate() >= refillDay ? period : period - 1;
}

/** When period `period` began (00:00 UTC of its refill day). */
export function refillPeriodStart(refill: Pick<CreditRefill, 'interval' | 'dayOfMonth'>, period: number): Date {
  if (refill.interval === 'daily') return new Date(period * DAY_MS);
  const year = Math.floor(period / 12);
  const month0 = period - year * 12;
  return new Date(Date.UTC(year, month0, Math.min(refill.dayOfMonth ?? 1, daysInMonth(year, month0))));
}

/** A credit pool as stored: the balance PostgreSQL holds and the period it was last refilled in. */
export interface StoredCredits {
  remaining: number;
  refill: CreditRefill | null;
  /** The refill period the stored balance belongs to (null: no refill). */
  period: number | null;
  refilledAt: Date | null;
}

/**
 * What a pool holds at `atMs`: a refill due since the stored period has happened (Redis applies it
 * at the first charge after the boundary; until then the store has not seen it).
 */
export function creditsAt(credits: StoredCredits, atMs: number): { remaining: number; refilledAt: Date | null } {
  const { refill, period } = credits;
  if (refill === null) return { remaining: credits.remaining, refilledAt: credits.refilledAt };
  const current = refillPeriod(refill, atMs);
  if (period !== null && current <= period) return { remaining: credits.remaining, refilledAt: credits.refilledAt };
  return { remaining: refill.amount, refilledAt: refillPeriodStart(refill, current) };
}

/** Credits as a change sets them: the balance, its refill, and the period the balance belongs to. */
export interface CreditsSetting {
  /** null: unlimited (no credits, no refill). */
  remaining: number | null;
  refill: CreditRefill | null;
  period: number | null;
}

/** The setting for a balance set at `atMs`: it belongs to the current period, whose refill is not due again. */
export function creditsSetting(remaining: number | null, refill: CreditRefill | null, atMs: number): CreditsSetting {
  if (remaining === null) return { remaining: null, refill: null, period: null };
  return { remaining, refill, period: refill ? refillPeriod(refill, atMs) : null };
}

/** The refill columns of a row (keys and owners store them alike). */
export interface RefillRow {
  refill_interval: RefillInterval | null;
  refill_amount: string | number | null;
  refill_day_of_month: number | null;
}

export function refillOf(row: RefillRow): CreditRefill | null {
  return row.refill_interval === null
    ? null
    : { interval: row.refill_interval, amount: Number(row.refill_amount), dayOfMonth: row.refill_day_of_month };
}

/** [interval, amount, dayOfMonth] for the refill columns. */
export function refillColumns(refill: CreditRefill | null): [RefillInterval | null, number | null, number | null] {
  return refill ? [refill.interval, refill.amount, refill.interval === 'monthly' ? (refill.dayOfMonth ?? 1) : null] : [null, null, null];
}

export interface CreditsInput {
  remaining: number;
  refill?: { interval: RefillInterval; amount: number; dayOfMonth?: number } | null;
}

/**
 * The credits a create or replace sets at `atMs`, from the v1 `remaining` and the v1.1 `credits`
 * (either, or both when they agree); undefined when neither is given.
 */
export function resolveCredits(
  remaining: number | null | undefined,
  credits: CreditsInput | null | undefined,
  atMs: number,
): CreditsSetting | undefined {
  if (remaining !== undefined && credits !== undefined && (credits?.remaining ?? null) !== remaining)
    throw new ValidationFailedError([{ field: 'remaining', message: 'must agree with credits.remaining' }]);
  if (credits !== undefined) {
    const refill = credits?.refill ? { ...credits.refill, dayOfMonth: credits.refill.dayOfMonth ?? null } : null;
    if (refill && refill.interval === 'daily' && refill.dayOfMonth !== null)
      throw new ValidationFailedError([{ field: 'credits.refill.dayOfMonth', message: 'applies to monthly refills only' }]);
    return creditsSetting(credits?.remaining ?? null, refill, atMs);
  }
  return remaining === undefined ? undefined : creditsSetting(remaining, null, atMs);
}
