// Which errors mean "PostgreSQL cannot answer now" (down, unreachable, stalled, restarting, out of
// connections) rather than a statement that PostgreSQL refused: the first are answered 503 with
// Retry-After, never 500 (docs/failure-modes.md).
import { isErrorLike, isNetworkErrorCode } from '../errors/connection-errors';

/**
 * SQLSTATEs of a server that cannot serve the statement now: class 08 (connection exception),
 * query_canceled (57014: statement_timeout, or a cancel), admin_shutdown, crash_shutdown,
 * cannot_connect_now (57P01-57P03, a server stopping or starting), idle_session_timeout (57P05),
 * too_many_connections (53300), idle_in_transaction_session_timeout (25P03).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57014', '57P01', '57P02', '57P03', '57P05', '53300', '25P03']);

/** What node-postgres and its pool say when a connection cannot be had, is lost, or a query is not answered in time. */
const CLIENT_MESSAGES = [
  /^Connection terminated/, // "... unexpectedly", "... due to connection timeout"
  /^timeout expired$/, // a client's own connect time-out
  /^timeout exceeded when trying to connect/, // the pool: no connection within connectionTimeoutMillis
  /^Query read timeout/, // the client's own bound on a query (bounded-pg-client.ts)
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^Cannot use a pool after calling end on the pool/,
  /^the database system is (starting up|shutting down|in recovery mode)/,
];

function unavailable(error: unknown): boolean {
  if (!isErrorLike(error)) return false;
  const { code, message } = error;
  if (isNetworkErrorCode(code) || (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')))) return true;
  return CLIENT_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * Whether `error` (or what it wraps: TypeORM's driverError, an error's cause) says PostgreSQL is
 * unavailable. A few levels deep at most: causes may chain.
 */
export function isDatabaseUnavailableError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isErrorLike(current); depth++) {
    if (unavailable(current)) return true;
    if (current.driverError !== undefined && unavailable(current.driverError)) return true;
    current = current.cause;
  }
  return false;
}
