// The two errors the SDK raises: KeywardApiError for a problem answer of the service (a request the
// service refused: bad input, a bad credential, a conflict...), KeywardUnavailableError for a
// service that could not be reached or did not answer in time. Neither carries a key or a token
// (docs/sdk.md, "Errors").

/** One invalid field of a VALIDATION_FAILED problem. */
export interface ProblemFieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem answer as the Keyward services send it. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code: string;
  requestId?: string;
  errors?: ProblemFieldError[];
}

/** A problem answer (4xx, or a 5xx the SDK does not retry) of a Keyward service. */
export class KeywardApiError extends Error {
  override readonly name = 'KeywardApiError';
  /** The HTTP status. */
  readonly status: number;
  /** The problem's stable code (`VALIDATION_FAILED`, `NOT_FOUND`, `CONFLICT`...). */
  readonly code: string;
  /** With VALIDATION_FAILED: each invalid field. */
  readonly errors: ProblemFieldError[];
  /** The request's id (X-Request-Id), to quote to the service's operators. */
  readonly requestId: string | undefined;
  /** The whole problem body. */
  readonly problem: Problem;

  constructor(problem: Problem) {
    const fields = problem.errors?.length ? ` (${problem.errors.map((error) => error.field).join(', ')})` : '';
    super(`Keyward answered ${problem.status} ${problem.code}: ${problem.detail ?? problem.title ?? ''}${fields}`.trim());
    this.status = problem.status;
    this.code = problem.code;
    this.errors = problem.errors ?? [];
    this.requestId = problem.requestId;
    this.problem = problem;
  }
}

/** The verify service could not be reached, failed (5xx) or did not answer within the call's deadline, retries included. */
export class KeywardUnavailableError extends Error {
  override readonly name = 'KeywardUnavailableError';
  /** How many requests were sent (1 + retries). */
  readonly attempts: number;
  /** What the last attempt ended with: `timeout`, `network` (with the socket error's code) or `status` (5xx). */
  readonly reason: 'timeout' | 'network' | 'status';
  /** The last HTTP status, for reason `status`. */
  readonly status: number | undefined;
  /** The socket error's code (ECONNREFUSED, UND_ERR_SOCKET...), for reason `network`. */
  readonly errorCode: string | undefined;

  constructor(
    message: string,
    details: { attempts: number; reason: 'timeout' | 'network' | 'status'; status?: number; errorCode?: string },
  ) {
    super(message);
    this.attempts = details.attempts;
    this.reason = details.reason;
    this.status = details.status;
    this.errorCode = details.errorCode;
  }
}

/** A problem from an answer's status and parsed body; a body that is not a problem still gives status and a code. */
export function problemOf(status: number, body: unknown, requestId?: string): Problem {
  const given = typeof body === 'object' && body !== null ? (body as Partial<Problem>) : {};
  return {
    ...given,
    status,
    code: typeof given.code === 'string' ? given.code : status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST',
    requestId: given.requestId ?? requestId,
  };
}
