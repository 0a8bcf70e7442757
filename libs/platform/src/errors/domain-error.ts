import type { ProblemCode } from './problem-codes';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * Base of every error a use case may throw on purpose. It knows nothing of HTTP: the problem filter
 * maps `code` to a status at the edge, and the worker can run the same use cases.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
    readonly fieldErrors: FieldError[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends DomainError {
  constructor(fieldErrors: FieldError[], message = 'The request has invalid fields; see errors.') {
    super('VALIDATION_FAILED', message, fieldErrors);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} was not found.`);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'A valid bearer token is required.') {
    super('UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'This credential may not do this.') {
    super('FORBIDDEN', message);
  }
}

export class RateLimitedError extends DomainError {
  constructor(retryAfterSeconds: number, message = 'Too many requests for this credential; retry later.') {
    super('RATE_LIMITED', message, [], retryAfterSeconds);
  }
}

export class MalformedJsonError extends DomainError {
  constructor(message = 'The request body is not valid JSON.') {
    super('MALFORMED_JSON', message);
  }
}
