// Maps anything thrown while serving a request to a problem: our domain errors, Nest's HTTP
// exceptions (unknown routes) and Fastify's own errors (body parsing, media type, size, schema).
import { HttpException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isDatabaseUnavailableError } from '../database/unavailable';
import { isRedisUnavailableError } from '../redis/unavailable';
import { DomainError, type FieldError } from './domain-error';
import { buildProblem, type Problem } from './problem';
import type { ProblemCode } from './problem-codes';

export interface MappedProblem {
  problem: Problem;
  retryAfterSeconds?: number;
  /** Set for unexpected errors: the id logged with the error and quoted to the client. */
  errorId?: string;
}

const CODE_BY_STATUS: Record<number, ProblemCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

const DETAIL_BY_CODE: Partial<Record<ProblemCode, string>> = {
  NOT_FOUND: 'No resource at this path.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than the limit.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body must be application/json.',
  MALFORMED_JSON: 'The request body is not valid JSON.',
  BAD_REQUEST: 'The request could not be read.',
  METHOD_NOT_ALLOWED: 'This method is not allowed here.',
};

const DEPENDENCY_UNAVAILABLE_DETAIL = 'A store this request needs is unavailable; retry shortly.';
/** Retry-After of a 503 for a store that is down: a few seconds, as a restart or failover takes. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

interface FastifySchemaError {
  validation: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }>;
  validationContext?: string;
}

function isFastifySchemaError(error: unknown): error is FastifySchemaError {
  return typeof error === 'object' && error !== null && Array.isArray((error as FastifySchemaError).validation);
}

function schemaFieldErrors(error: FastifySchemaError): FieldError[] {
  return error.validation.map((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const missing = issue.params?.missingProperty as string | undefined;
    const extra = issue.params?.additionalProperty as string | undefined;
    const field = [path, missing ?? extra].filter(Boolean).join('.') || (error.validationContext ?? 'body');
    const message = extra ? 'is not an allowed field' : (issue.message ?? 'is invalid');
    return { field, message };
  });
}

/** Fastify's JSON parser reports a bad or empty body with these codes (older versions: a SyntaxError). */
const UNPARSABLE_JSON_CODES = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

function isUnparsableJsonError(error: unknown): boolean {
  if (statusOf(error) !== 400) return false;
  return error instanceof SyntaxError || UNPARSABLE_JSON_CODES.has(String((error as { code?: unknown }).code));
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function toProblem(error: unknown, requestId: string): MappedProblem {
  if (error instanceof DomainError) {
    return {
      problem: buildProblem(error.code, error.message, requestId, error.fieldErrors),
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (isFastifySchemaError(error)) {
    return {
      problem: buildProblem('VALIDATION_FAILED', 'The request has invalid fields; see errors.', requestId, schemaFieldErrors(error)),
    };
  }
  if (isUnparsableJsonError(error)) {
    return { problem: buildProblem('MALFORMED_JSON', DETAIL_BY_CODE.MALFORMED_JSON!, requestId) };
  }
  // PostgreSQL or Redis down, unreachable or stalled: the client may retry (docs/failure-modes.md).
  if (isDatabaseUnavailableError(error) || isRedisUnavailableError(error)) {
    return {
      problem: buildProblem('SERVICE_UNAVAILABLE', DEPENDENCY_UNAVAILABLE_DETAIL, requestId),
      retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS,
    };
  }
  const status = error instanceof HttpException ? error.getStatus() : statusOf(error);
  const code = status !== undefined ? CODE_BY_STATUS[status] : undefined;
  if (code) {
    const detail =
      code === 'BAD_REQUEST' && /JSON|body/i.test((error as Error).message)
        ? (error as Error).message
        : (DETAIL_BY_CODE[code] ?? 'The request was refused.');
    return { problem: buildProblem(code, detail, requestId) };
  }
  const errorId = randomUUID();
  return {
    problem: buildProblem('INTERNAL_ERROR', `An unexpected error occurred (error id ${errorId}).`, requestId),
    errorId,
  };
}
