// Which errors mean "Redis cannot answer now" (down, unreachable, frozen, restarting), as opposed
// to a command that Redis ran and refused. The first are answered 503 with Retry-After and logged
// once per outage (connection-state-log.ts); the second are bugs (docs/failure-modes.md).
import { isErrorLike, isNetworkErrorCode } from '../errors/connection-errors';

/** What ioredis (and BullMQ over it) says when a command cannot be sent or answered in time. */
const CLIENT_MESSAGES = [
  /^Stream isn't writeable/,
  /^Connection is closed\.?$/,
  /^Command timed out/,
  /^Reached the max retries per request limit/,
  /^Failed to refresh slots cache/,
  /^None of startup nodes is available/,
  /^Cluster isn't ready/,
];

/** Server replies of a Redis that cannot serve now: loading its data, a cluster or failover in progress, a script running. */
const SERVER_REPLIES = /^(LOADING|CLUSTERDOWN|MASTERDOWN|TRYAGAIN|BUSY|READONLY)\b/;

export function isRedisUnavailableError(error: unknown): boolean {
  if (!isErrorLike(error)) return false;
  const { code, name, message } = error;
  if (isNetworkErrorCode(code)) return true;
  if (name === 'MaxRetriesPerRequestError' || name === 'ClusterAllFailedError') return true;
  return CLIENT_MESSAGES.some((pattern) => pattern.test(message)) || SERVER_REPLIES.test(message);
}
