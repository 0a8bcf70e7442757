// When a failed delivery is tried again (docs/api.md, Webhooks): first retry within 30 s, then
// exponential backoff, for at least 24 hours after the event; after that the delivery is failed.

export const FIRST_RETRY_DELAY_SECONDS = 15;
export const MAX_RETRY_DELAY_SECONDS = 60 * 60;
/** Retries go on while the delivery is younger than this; the last one may land a little later. */
export const RETRY_WINDOW_SECONDS = 24 * 60 * 60;

/** The wait after the `failedAttempts`-th failed attempt (1 -> 15 s, 2 -> 30 s, ... capped at 1 h). */
export function retryDelaySeconds(failedAttempts: number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  // 2^8 * 15 s is already past the cap; stopping there keeps the arithmetic small.
  return Math.min(FIRST_RETRY_DELAY_SECONDS * 2 ** Math.min(exponent, 8), MAX_RETRY_DELAY_SECONDS);
}

export type AfterFailure = { status: 'pending'; nextAttemptAt: Date } | { status: 'failed' };

/**
 * What becomes of a delivery whose attempt number `attempts` (counting this one) just failed at
 * `now`: another attempt after the backoff while it is younger than the retry window, else failed.
 */
export function afterFailedAttempt(attempts: number, createdAt: Date, now: Date): AfterFailure {
  if (now.getTime() >= createdAt.getTime() + RETRY_WINDOW_SECONDS * 1000) return { status: 'failed' };
  return { status: 'pending', nextAttemptAt: new Date(now.getTime() + retryDelaySeconds(attempts) * 1000) };
}
