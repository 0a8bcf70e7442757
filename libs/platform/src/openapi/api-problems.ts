import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

const DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED (errors name each field), MALFORMED_JSON or BAD_REQUEST',
  401: 'UNAUTHENTICATED: missing or unknown bearer token (WWW-Authenticate: Bearer)',
  403: 'FORBIDDEN: the role may not do this; TENANT_SUSPENDED: the tenant is suspended',
  404: 'NOT_FOUND: no such resource, or it belongs to another tenant',
  409: 'CONFLICT or IDEMPOTENCY_KEY_IN_USE',
  410: 'GONE: revealed already, or its grace period ended',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE: the body must be application/json',
  422: 'IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was used with another request',
  429: 'RATE_LIMITED (Retry-After says when to retry)',
  503: 'SERVICE_UNAVAILABLE',
};

/** The same answers as plain OpenAPI response objects, for routes that Nest does not scan. */
export function ApiProblemsDocument(...statuses: number[]): Record<string, object> {
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  );
}

/** Documents the problem+json answers a route can give, each with its codes. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      }),
    ),
  );
}
