// The access line of a request (pino-http's `request completed` / `request errored`): the level it
// is written at, and what it carries.
import type { Level } from 'pino';

/**
 * 2xx and 3xx at debug: a service working as asked says nothing per request unless LOG_LEVEL=debug.
 * 4xx at info: the caller's mistake, worth a line where an operator looks (production's default
 * level), not a warning about the service. 5xx at error. An error raised while the answer was
 * written (the response's `error` event) is an error whatever the status.
 */
export function accessLogLevel(statusCode: number, error?: unknown): Level {
  if (error !== undefined || statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'info';
  return 'debug';
}

/**
 * The fields of a 5xx access line. pino-http gives every 5xx an `err`, making one up with a stack
 * (`failed with status code 503`) when no exception caused it; a status the service decided on (503
 * while a dependency is away or while draining) is no exception, so its line carries no `err`. An
 * unexpected error is logged with its stack by the exception filter, under an errorId.
 */
export function accessErrorFields(
  response: { statusCode: number; err?: unknown },
  error: Error,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const madeUp = response.err === undefined && error.message === `failed with status code ${response.statusCode}`;
  if (!madeUp) return fields;
  const { err: _err, ...withoutError } = fields;
  return withoutError;
}
