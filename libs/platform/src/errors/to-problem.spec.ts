import { BadRequestException, NotFoundException } from '@nestjs/common';
import Fastify, { type FastifyError } from 'fastify';
import {
  DomainError,
  ForbiddenError,
  MalformedJsonError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationFailedError,
} from './domain-error';
import { PROBLEM_CODES, type ProblemCode } from './problem-codes';
import { toProblem } from './to-problem';

const REQUEST_ID = 'req-123';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The statuses docs/api.md (Errors) gives each code, written out independently of the table. */
const EXPECTED_STATUS: Record<ProblemCode, number> = {
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

/** The error Fastify hands to its error handler for `payload` sent to a route with `schema`. */
async function fastifyErrorFor(schema: object, payload: string): Promise<FastifyError> {
  const app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } } });
  let caught: FastifyError | undefined;
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    caught = error;
    void reply.status(599).send();
  });
  app.post('/', { schema: { body: schema } }, async () => ({ ok: true }));
  await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json' }, payload });
  await app.close();
  if (!caught) throw new Error(`Fastify accepted ${payload}`);
  return caught;
}

describe('toProblem', () => {
  describe('domain errors', () => {
    it.each(PROBLEM_CODES.map((code) => [code, EXPECTED_STATUS[code]] as const))(
      'maps a DomainError with code %s to status %i',
      (code, status) => {
        const { problem, errorId } = toProblem(new DomainError(code, 'What went wrong, for the client.'), REQUEST_ID);
        expect(problem).toEqual({
          type: `urn:keyward:problem:${code.toLowerCase().replace(/_/g, '-')}`,
          title: expect.any(String),
          status,
          detail: 'What went wrong, for the client.',
          code,
          requestId: REQUEST_ID,
        });
        expect(problem.title.length).toBeGreaterThan(0);
        expect(errorId).toBeUndefined();
      },
    );

    it.each([
      ['ValidationFailedError', 'VALIDATION_FAILED', 400, new ValidationFailedError([{ field: 'name', message: 'must be a string' }])],
      ['NotFoundError', 'NOT_FOUND', 404, new NotFoundError('The tenant')],
      ['UnauthenticatedError', 'UNAUTHENTICATED', 401, new UnauthenticatedError()],
      ['ForbiddenError', 'FORBIDDEN', 403, new ForbiddenError()],
      ['RateLimitedError', 'RATE_LIMITED', 429, new RateLimitedError(7)],
      ['MalformedJsonError', 'MALFORMED_JSON', 400, new MalformedJsonError()],
    ] as const)('maps %s to %s with status %i', (_name, code, status, error) => {
      const { problem } = toProblem(error, REQUEST_ID);
      expect(problem.code).toBe(code);
      expect(problem.status).toBe(status);
      expect(problem.detail).toBe(error.message);
    });

    it('carries the field errors of a validation failure', () => {
      const errors = [
        { field: 'name', message: 'must be a string' },
        { field: 'role', message: 'must be one of admin, auditor, verifier' },
      ];
      expect(toProblem(new ValidationFailedError(errors), REQUEST_ID).problem.errors).toEqual(errors);
    });

    it('leaves errors out of a problem that has no field errors', () => {
      expect(toProblem(new NotFoundError('The credential'), REQUEST_ID).problem).not.toHaveProperty('errors');
    });

    it('passes the retry delay of a rate-limit error on, for the Retry-After header', () => {
      expect(toProblem(new RateLimitedError(42), REQUEST_ID).retryAfterSeconds).toBe(42);
    });
  });

  describe('unexpected errors', () => {
    it('maps an unknown Error to 500 INTERNAL_ERROR with an error id and without the original message', () => {
      const error = new Error('connection to db-internal.example:5432 refused for user keyward_owner');
      const { problem, errorId } = toProblem(error, REQUEST_ID);
      expect(problem.status).toBe(500);
      expect(problem.code).toBe('INTERNAL_ERROR');
      expect(errorId).toMatch(UUID);
      expect(problem.detail).toContain(errorId);
      expect(problem.detail).not.toContain('db-internal');
      expect(JSON.stringify(problem)).not.toContain('keyward_owner');
      expect(JSON.stringify(problem)).not.toContain('at ');
      expect(problem).not.toHaveProperty('errors');
    });

    it('gives every unexpected error its own error id', () => {
      const first = toProblem(new Error('x'), REQUEST_ID).errorId;
      const second = toProblem(new Error('x'), REQUEST_ID).errorId;
      expect(first).not.toBe(second);
    });

    it.each([
      ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'secret')")],
      ['a SyntaxError without a status (our own JSON.parse failing)', new SyntaxError('Unexpected token k in JSON at position 0')],
      ['an error claiming status 500', Object.assign(new Error('boom'), { statusCode: 500 })],
      ['an error with an unmapped status', Object.assign(new Error('teapot'), { statusCode: 418 })],
      ['a thrown string', 'kwc_secret_in_a_string'],
      ['a thrown plain object', { message: 'plain', token: 'kwc_x' }],
      ['undefined', undefined],
      ['null', null],
    ])('maps %s to 500 INTERNAL_ERROR without echoing it', (_name, thrown) => {
      const { problem, errorId } = toProblem(thrown, REQUEST_ID);
      expect(problem.status).toBe(500);
      expect(problem.code).toBe('INTERNAL_ERROR');
      expect(errorId).toMatch(UUID);
      const message =
        thrown instanceof Error ? thrown.message : String((thrown as { message?: string } | null)?.message ?? (thrown as string));
      if (message && message !== 'undefined' && message !== 'null') expect(problem.detail).not.toContain(message);
      expect(JSON.stringify(problem)).not.toContain('kwc_');
    });
  });

  describe('Fastify schema validation errors', () => {
    it('names a missing property as the field', () => {
      const error = {
        validation: [{ instancePath: '', params: { missingProperty: 'key' }, message: "must have required property 'key'" }],
        validationContext: 'body',
      };
      const { problem } = toProblem(error, REQUEST_ID);
      expect(problem.status).toBe(400);
      expect(problem.code).toBe('VALIDATION_FAILED');
      expect(problem.errors).toEqual([{ field: 'key', message: "must have required property 'key'" }]);
    });

    it('names an unknown property as the field and says it is not allowed', () => {
      const error = {
        validation: [{ instancePath: '', params: { additionalProperty: 'extra' }, message: 'must NOT have additional properties' }],
        validationContext: 'body',
      };
      expect(toProblem(error, REQUEST_ID).problem.errors).toEqual([{ field: 'extra', message: 'is not an allowed field' }]);
    });

    it('turns a nested instance path into a dotted field name', () => {
      const error = {
        validation: [{ instancePath: '/scopes/0', params: { limit: 1 }, message: 'must NOT have fewer than 1 characters' }],
        validationContext: 'body',
      };
      expect(toProblem(error, REQUEST_ID).problem.errors).toEqual([
        { field: 'scopes.0', message: 'must NOT have fewer than 1 characters' },
      ]);
    });

    it('names the validation context when the whole value is wrong', () => {
      const error = {
        validation: [{ instancePath: '', params: { type: 'object' }, message: 'must be object' }],
        validationContext: 'body',
      };
      expect(toProblem(error, REQUEST_ID).problem.errors).toEqual([{ field: 'body', message: 'must be object' }]);
    });

    it('maps a real Fastify validation error of a body with a missing, an unknown and a mistyped field, naming each', async () => {
      const schema = {
        type: 'object',
        required: ['key'],
        additionalProperties: false,
        properties: { key: { type: 'string' }, cost: { type: 'integer' } },
      };
      const error = await fastifyErrorFor(schema, JSON.stringify({ cost: 'one', extra: true }));
      const { problem, errorId } = toProblem(error, REQUEST_ID);
      expect(problem.status).toBe(400);
      expect(problem.code).toBe('VALIDATION_FAILED');
      expect(errorId).toBeUndefined();
      const fields = (problem.errors ?? []).map((fieldError) => fieldError.field);
      expect(fields).toEqual(expect.arrayContaining(['key', 'extra', 'cost']));
      expect(problem.errors).toContainEqual({ field: 'extra', message: 'is not an allowed field' });
    });
  });

  describe('Fastify and Nest HTTP errors', () => {
    it('maps a SyntaxError with statusCode 400 to MALFORMED_JSON', () => {
      const error = Object.assign(new SyntaxError('Unexpected token } in JSON at position 9'), { statusCode: 400 });
      const { problem, errorId } = toProblem(error, REQUEST_ID);
      expect(problem.status).toBe(400);
      expect(problem.code).toBe('MALFORMED_JSON');
      expect(problem.detail).not.toContain('position 9');
      expect(errorId).toBeUndefined();
    });

    it.each([
      ['an unterminated string', '{"name": "unterminated'],
      ['a prototype-poisoning key', '{"__proto__": {"admin": true}}'],
      ['an empty body', ''],
    ])("maps the error of Fastify's own JSON parser for %s to MALFORMED_JSON", async (_name, payload) => {
      const { problem } = toProblem(await fastifyErrorFor({ type: 'object' }, payload), REQUEST_ID);
      expect(problem.status).toBe(400);
      expect(problem.code).toBe('MALFORMED_JSON');
    });

    it.each([
      [413, 'PAYLOAD_TOO_LARGE'],
      [415, 'UNSUPPORTED_MEDIA_TYPE'],
      [404, 'NOT_FOUND'],
      [405, 'METHOD_NOT_ALLOWED'],
      [503, 'SERVICE_UNAVAILABLE'],
    ] as const)('maps a Fastify error with statusCode %i to %s', (status, code) => {
      const error = Object.assign(new Error('internal wording of the framework'), { statusCode: status });
      const { problem, errorId } = toProblem(error, REQUEST_ID);
      expect(problem.status).toBe(status);
      expect(problem.code).toBe(code);
      expect(problem.detail).not.toContain('internal wording');
      expect(errorId).toBeUndefined();
    });

    it("maps Nest's NotFoundException for an unknown route to NOT_FOUND", () => {
      const { problem } = toProblem(new NotFoundException('Cannot GET /v1/nothing'), REQUEST_ID);
      expect(problem.status).toBe(404);
      expect(problem.code).toBe('NOT_FOUND');
    });

    it("maps Nest's BadRequestException to BAD_REQUEST", () => {
      const { problem } = toProblem(new BadRequestException('Something about the request'), REQUEST_ID);
      expect(problem.status).toBe(400);
      expect(problem.code).toBe('BAD_REQUEST');
    });
  });
});
