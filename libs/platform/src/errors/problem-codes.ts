/**
 * Every problem code the services answer, with its HTTP status. The table is typed as total over
 * the codes, so a code without a status does not compile.
 */
export const PROBLEM_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'TENANT_SUSPENDED',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'REQUEST_TIMEOUT',
  'CONFLICT',
  'INSUFFICIENT_CREDITS',
  'IDEMPOTENCY_KEY_IN_USE',
  'ROLE_IN_USE',
  'GONE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'IDEMPOTENCY_KEY_REUSED',
  'RATE_LIMITED',
  'HEADERS_TOO_LARGE',
  'INTERNAL_ERROR',
  'VERIFIER_REJECTED',
  'SERVICE_UNAVAILABLE',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

export const PROBLEM_STATUS: Readonly<Record<ProblemCode, number>> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TENANT_SUSPENDED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  INSUFFICIENT_CREDITS: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  ROLE_IN_USE: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  VERIFIER_REJECTED: 502,
  SERVICE_UNAVAILABLE: 503,
};

const TITLES: Readonly<Record<ProblemCode, string>> = {
  VALIDATION_FAILED: 'Validation failed',
  MALFORMED_JSON: 'Malformed JSON',
  BAD_REQUEST: 'Bad request',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Forbidden',
  TENANT_SUSPENDED: 'Tenant suspended',
  NOT_FOUND: 'Not found',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  REQUEST_TIMEOUT: 'Request timeout',
  CONFLICT: 'Conflict',
  INSUFFICIENT_CREDITS: 'Insufficient credits',
  IDEMPOTENCY_KEY_IN_USE: 'Idempotency key in use',
  ROLE_IN_USE: 'Role in use',
  GONE: 'Gone',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency key reused',
  RATE_LIMITED: 'Rate limited',
  HEADERS_TOO_LARGE: 'Request headers too large',
  INTERNAL_ERROR: 'Internal error',
  VERIFIER_REJECTED: 'Verifier rejected',
  SERVICE_UNAVAILABLE: 'Service unavailable',
};

export function problemTitle(code: ProblemCode): string {
  return TITLES[code];
}

/** RFC 9457 `type`: an absolute URI per code, stable for clients to branch on. */
export function problemType(code: ProblemCode): string {
  return `urn:keyward:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}
