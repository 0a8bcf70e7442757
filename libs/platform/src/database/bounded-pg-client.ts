// The pool's PostgreSQL client, with a bound on how long a query waits for its answer. PostgreSQL
// bounds its own statements (the app role's statement_timeout, 5 s), but a server that is stalled
// (frozen, or cut off without the connection closing) answers nothing, not even that: without a
// bound of the client's own a request would wait for as long as the stall lasts, holding its
// pooled connection (docs/failure-modes.md).
import { Client, type ClientConfig } from 'pg';

/**
 * Longer than the app role's statement_timeout (5 s, see provision.ts), so that a statement
 * PostgreSQL is still running is never cut off here: a query unanswered by then has a server that
 * does not answer at all.
 */
export const QUERY_READ_TIMEOUT_MS = 6_000;

/** A Submittable (a COPY stream, a cursor) drives its own reads; only plain queries are bounded. */
function isPlainQuery(config: unknown): boolean {
  if (typeof config === 'string') return true;
  return typeof config === 'object' && config !== null && typeof (config as { submit?: unknown }).submit !== 'function';
}

/**
 * node-postgres's Client, whose plain queries fail with "Query read timeout" after
 * QUERY_READ_TIMEOUT_MS without an answer, closing the connection: its query may still be running
 * on a stalled server, so the connection is of no further use (the pool replaces it), and whatever
 * was queued behind it (a ROLLBACK, say) fails at once instead of waiting as long again.
 */
export class BoundedPgClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
  }

  // The base class's overloads, each kept: plain queries bounded, the rest passed on as they are.

  override query(...args: unknown[]): any {
    const run = (queryArgs: unknown[]) => (Client.prototype.query as (...each: unknown[]) => unknown).apply(this, queryArgs);
    const [config, ...rest] = args;
    if (!isPlainQuery(config)) return run(args);
    const bounded =
      typeof config === 'string'
        ? { text: config, query_timeout: QUERY_READ_TIMEOUT_MS }
        : { query_timeout: QUERY_READ_TIMEOUT_MS, ...(config as object) };
    const callback = rest[rest.length - 1];
    if (typeof callback === 'function') {
      // The callback form.
      rest[rest.length - 1] = (error: unknown, ...results: unknown[]) => {
        this.closeIfTimedOut(error);
        (callback as (...callbackArgs: unknown[]) => void)(error, ...results);
      };
      return run([bounded, ...rest]);
    }
    return (run([bounded, ...rest]) as Promise<unknown>).catch((error: unknown) => {
      this.closeIfTimedOut(error);
      throw error;
    });
  }

  private closeIfTimedOut(error: unknown): void {
    if ((error as { message?: unknown } | null)?.message === 'Query read timeout') {
      (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
  }
}
