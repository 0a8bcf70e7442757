// The problem+json answers of an operation, documented by the codes it gives: each status gets a
// description naming its codes and when each is answered, the headers that come with them, and an
// example problem per code, so that a reader (and a generated client's docs) sees the right `code`.
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { FieldError } from '../errors/domain-error';
import { buildProblem, PROBLEM_CONTENT_TYPE, type Problem } from '../errors/problem';
import { PROBLEM_STATUS, type ProblemCode } from '../errors/problem-codes';
import { OPENAPI_HEADER_REFS } from './openapi-components';

/** One code an operation answers, with what to say about it where the default does not fit. */
export interface ProblemCase {
  code: ProblemCode;
  /** When the operation answers this code (default: PROBLEM_CASES[code].when). */
  when?: string;
  /** The example's detail (default: PROBLEM_CASES[code].detail). */
  detail?: string;
  /** The example's field errors (VALIDATION_FAILED only; default: PROBLEM_CASES[code].errors). */
  errors?: FieldError[];
}

interface ProblemCaseDefaults {
  when: string;
  detail: string;
  errors?: FieldError[];
}

/** What each code means where an operation answers it, and what the services say in its detail. */
export const PROBLEM_CASES: Readonly<Record<ProblemCode, ProblemCaseDefaults>> = {
  VALIDATION_FAILED: {
    when: 'A field, query value or header is invalid; `errors` names each one.',
    detail: 'The request has invalid fields; see errors.',
    errors: [{ field: 'name', message: 'must be a string' }],
  },
  MALFORMED_JSON: { when: 'The body is not valid JSON.', detail: 'The request body is not valid JSON.' },
  BAD_REQUEST: { when: 'The request could not be read (a body cut off before its end).', detail: 'The request could not be read.' },
  UNAUTHENTICATED: {
    when: 'No bearer token, or one that is unknown, expired or revoked (with `WWW-Authenticate: Bearer`).',
    detail: 'A valid bearer token is required.',
  },
  FORBIDDEN: { when: "The caller's role may not do this.", detail: 'This credential may not do this.' },
  TENANT_SUSPENDED: {
    when: "The credential's tenant is suspended: its admins and auditors are refused everywhere.",
    detail: 'The tenant is suspended; its credentials may not use the admin API.',
  },
  NOT_FOUND: {
    when: 'No such resource: unknown, malformed, or of another tenant (existence is not leaked).',
    detail: 'The resource was not found.',
  },
  METHOD_NOT_ALLOWED: { when: 'The method is not allowed on this path.', detail: 'This method is not allowed here.' },
  REQUEST_TIMEOUT: { when: 'The request did not arrive in time.', detail: 'The request did not arrive in time.' },
  CONFLICT: {
    when: 'The resource is in a state that does not allow this.',
    detail: 'The request conflicts with the state of the resource.',
  },
  INSUFFICIENT_CREDITS: {
    when: 'A decrement would take the credit balance below zero; nothing was changed.',
    detail: 'The decrement would take the balance below zero; 3 credits are left.',
  },
  IDEMPOTENCY_KEY_IN_USE: {
    when: 'A request with the same Idempotency-Key is still in progress; retry shortly to get its answer.',
    detail: 'A request with this Idempotency-Key is still in progress.',
  },
  ROLE_IN_USE: {
    when: 'Keys that are not revoked have the role: take it off them first.',
    detail: 'The role is in use by keys that are not revoked; take it off them first.',
  },
  GONE: { when: 'The resource existed but is no longer available.', detail: 'The resource is no longer available.' },
  PAYLOAD_TOO_LARGE: {
    when: 'The body is larger than the limit (BODY_LIMIT_BYTES).',
    detail: 'The request body is larger than the limit.',
  },
  UNSUPPORTED_MEDIA_TYPE: { when: 'The body is not application/json.', detail: 'The request body must be application/json.' },
  IDEMPOTENCY_KEY_REUSED: {
    when: 'The Idempotency-Key was used with another request (another body) within 24 hours.',
    detail: 'This Idempotency-Key was used with another request.',
  },
  RATE_LIMITED: {
    when: "The credential's request rate is over the limit (ADMIN_RATE_LIMIT_PER_MINUTE); `Retry-After` says when to retry.",
    detail: 'Too many requests for this credential; retry later.',
  },
  HEADERS_TOO_LARGE: { when: 'The request headers are larger than the limit.', detail: 'The request headers are larger than the limit.' },
  INTERNAL_ERROR: {
    when: 'An unexpected error; the detail quotes an error id, logged with the error.',
    detail: 'An unexpected error occurred (error id 6f1d0c52-8a3b-4e7f-9d2c-1b5a7e9c3f08).',
  },
  VERIFIER_REJECTED: {
    when: "The gateway's `Keyward-Verifier` credential is missing, unknown, revoked, expired or not a `verifier`: a gateway misconfigured, not the client's fault; the verify service logs a warning.",
    detail: "The gateway's Keyward-Verifier credential was not accepted; see the verify service's log.",
  },
  SERVICE_UNAVAILABLE: {
    when: 'A store the request needs (PostgreSQL or Redis) is unavailable; `Retry-After` says when to retry.',
    detail: 'A store this request needs is unavailable; retry shortly.',
  },
};

/** The request id the examples show (the services make a UUID, or echo a valid X-Request-Id). */
export const EXAMPLE_REQUEST_ID = '4b9e2f6a-1c3d-4e5f-8a7b-9c0d1e2f3a4b';

/** The headers that come with a code, beside X-Request-Id (which every answer carries). */
const HEADERS_BY_CODE: Partial<Record<ProblemCode, Array<keyof typeof OPENAPI_HEADER_REFS>>> = {
  UNAUTHENTICATED: ['WWW-Authenticate'],
  RATE_LIMITED: ['Retry-After'],
  SERVICE_UNAVAILABLE: ['Retry-After'],
};

export interface ProblemResponse {
  description: string;
  headers?: Record<string, { $ref: string }>;
  content: Record<string, { schema: { $ref: string }; examples: Record<string, { summary: string; value: Problem }> }>;
}

function caseOf(item: ProblemCode | ProblemCase): Required<Omit<ProblemCase, 'errors'>> & { errors?: FieldError[] } {
  const given: ProblemCase = typeof item === 'string' ? { code: item } : item;
  const defaults = PROBLEM_CASES[given.code];
  return {
    code: given.code,
    when: given.when ?? defaults.when,
    detail: given.detail ?? defaults.detail,
    errors: given.code === 'VALIDATION_FAILED' ? (given.errors ?? defaults.errors) : undefined,
  };
}

/** The example problem of one code, as the services would answer it. */
export function problemExample(item: ProblemCode | ProblemCase): Problem {
  const { code, detail, errors } = caseOf(item);
  return buildProblem(code, detail, EXAMPLE_REQUEST_ID, errors);
}

/** The OpenAPI responses for these codes, one per status, each with its codes' examples. */
export function problemResponses(...items: Array<ProblemCode | ProblemCase>): Record<string, ProblemResponse> {
  const byStatus = new Map<number, ReturnType<typeof caseOf>[]>();
  for (const item of items) {
    const problemCase = caseOf(item);
    const status = PROBLEM_STATUS[problemCase.code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), problemCase]);
  }
  const responses: Record<string, ProblemResponse> = {};
  for (const [status, cases] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headerNames = [...new Set(cases.flatMap(({ code }) => HEADERS_BY_CODE[code] ?? []))];
    responses[String(status)] = {
      description: cases.map(({ code, when }) => `${code}: ${when}`).join(' '),
      ...(headerNames.length > 0 ? { headers: Object.fromEntries(headerNames.map((name) => [name, OPENAPI_HEADER_REFS[name]])) } : {}),
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: { $ref: '#/components/schemas/Problem' },
          examples: Object.fromEntries(
            cases.map((problemCase) => [problemCase.code, { summary: problemCase.when, value: problemExample(problemCase) }]),
          ),
        },
      },
    };
  }
  return responses;
}

/**
 * Documents the problem+json answers of a route (on a method) or of every route of a controller
 * (on the class), by code. A status documented on the class must not be documented again on one
 * of its methods: the method's would replace the class's, codes and all.
 */
export function ApiProblems(...items: Array<ProblemCode | ProblemCase>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(problemResponses(...items)).map(([status, response]) => ApiResponse({ status: Number(status), ...response })),
  );
}
