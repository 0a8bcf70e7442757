// What the PostgreSQL and Redis clients' "cannot answer now" errors share (database/unavailable.ts,
// redis/unavailable.ts): the socket errors of a connection that cannot reach its server, or lost it.

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/** Error-shaped (also across realms: an error made by Node itself is no instance of a sandbox's Error). */
export function isErrorLike(
  error: unknown,
): error is { message: string; code?: unknown; name?: unknown; driverError?: unknown; cause?: unknown } {
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

/** Whether `code` is a socket error of a connection that cannot reach its server, or lost it. */
export function isNetworkErrorCode(code: unknown): boolean {
  return typeof code === 'string' && NETWORK_CODES.has(code);
}
