// POST /v1/verify in the verify port's OpenAPI document. The route is served ahead of the framework
// (verify-handler.ts), so Nest does not scan it: this describes it from the same schemas the
// handler validates with, and docs/api.md says the same in words.
import { VERIFY_CODES, type VerifyCode } from '@keyward/keys';
import {
  checksumOf,
  OPENAPI_HEADER_REFS,
  problemResponses,
  TENANT_CREDENTIAL_AUTH,
  type OpenApiOptions,
  type ProblemCode,
  type ProblemCase,
} from '@keyward/platform';
import type { OpenAPIObject } from '@nestjs/swagger';
import {
  VERIFY_CODE_MEANINGS,
  VERIFY_REQUEST_SCHEMA,
  VERIFY_RESPONSE_SCHEMA,
  type VerifyAnswer,
  type VerifyRequest,
} from './verify.schema';

/** A key of the right shape and checksum (so it is not MALFORMED), plainly an example. */
export const EXAMPLE_KEY = `kw_live_ExampleKey0000000000000000000000${checksumOf('kw_live_ExampleKey0000000000000000000000')}`;

const REQUEST_EXAMPLES: Record<string, { summary: string; value: VerifyRequest }> = {
  keyOnly: { summary: 'The key alone', value: { key: EXAMPLE_KEY } },
  everything: {
    summary: 'With the scopes the call needs, the caller address and a cost',
    value: { key: EXAMPLE_KEY, scopes: ['billing:read'], ip: '203.0.113.7', cost: 1 },
  },
  scopeQuery: {
    summary: 'With a scope query: AND binds tighter than OR',
    value: { key: EXAMPLE_KEY, scopeQuery: 'billing:read AND (orders:write OR orders:admin)' },
  },
};

const EXAMPLE_KEY_FIELDS = {
  keyId: '8d5e3c2a-4b1f-4a6e-9c7d-0e2f1a3b5c7d',
  name: 'Checkout service',
  ownerId: 'cus_4711',
  environment: 'live',
  scopes: ['billing:*', 'reports:read', 'orders:admin'],
  roles: ['support'],
  meta: { plan: 'pro' },
  expiresAt: '2035-01-01T00:00:00.000Z',
} as const;

const RESET_AT = '2026-01-15T10:31:00.000Z';

/** The answer for each code, as the service gives it for a key with a rate limit and credits. */
function answerExample(code: VerifyCode): VerifyAnswer {
  if (code === 'MALFORMED' || code === 'NOT_FOUND') return { valid: false, code };
  const charged = code === 'VALID';
  return {
    valid: charged,
    code,
    ...EXAMPLE_KEY_FIELDS,
    scopes: [...EXAMPLE_KEY_FIELDS.scopes],
    roles: [...EXAMPLE_KEY_FIELDS.roles],
    meta: { ...EXAMPLE_KEY_FIELDS.meta },
    remaining: code === 'USAGE_EXCEEDED' ? 0 : charged ? 9958 : 9959,
    rateLimit: { limit: 100, remaining: code === 'RATE_LIMITED' ? 0 : charged ? 41 : 42, resetAt: RESET_AT },
  };
}

const VERIFY_PROBLEMS: Array<ProblemCode | ProblemCase> = [
  {
    code: 'VALIDATION_FAILED',
    when: 'The body is not an object with a `key` string, or another field is invalid or unknown (a `scopeQuery` that does not parse, say); `errors` names each one.',
    errors: [{ field: 'scopeQuery', message: 'expected a scope or `(`, found the end of the query at character 17' }],
  },
  'MALFORMED_JSON',
  'BAD_REQUEST',
  {
    code: 'UNAUTHENTICATED',
    when: 'No bearer token, or a credential that is unknown, expired or revoked (with `WWW-Authenticate: Bearer`).',
  },
  {
    code: 'FORBIDDEN',
    when: 'The credential is not a `verifier` (nor is the platform operator token).',
    detail: 'Only verifier credentials may call the verify service.',
  },
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  {
    code: 'SERVICE_UNAVAILABLE',
    when: 'PostgreSQL cannot be read for a key or credential not yet cached; `Retry-After` says when to try again.',
    detail: 'The key store is unavailable; retry shortly.',
  },
];

/** The verify port's document options: its one tag and scheme, and the route Nest does not scan. */
export const VERIFY_OPENAPI: OpenApiOptions = {
  title: 'Keyward verify service',
  description:
    'Checks API keys for your services: `POST /v1/verify` with a tenant `verifier` credential. Every answer about a key is a 200 ' +
    'whose `code` says what holds; errors are `application/problem+json` (schema Problem) with a stable `code`. The keys are ' +
    'managed through the admin API, whose document is served on its own port. The reference in words: docs/api.md.',
  tags: [{ name: 'verify', description: 'Verify API keys (tenant `verifier` credentials)' }],
  schemes: [TENANT_CREDENTIAL_AUTH],
  extend: (document: OpenAPIObject) => {
    document.components!.schemas = {
      ...document.components!.schemas,
      VerifyRequest: VERIFY_REQUEST_SCHEMA as never,
      VerifyAnswer: VERIFY_RESPONSE_SCHEMA as never,
    };
    document.components!.headers = {
      ...document.components!.headers,
      'RateLimit-Policy': {
        description:
          'The key\'s rate limit (draft-ietf-httpapi-ratelimit-headers-10): `"key";q=<limit>;w=<window seconds>`. Sent with every ' +
          'answer about a key that has a rateLimit.',
        schema: { type: 'string' },
        example: '"key";q=100;w=60',
      },
      RateLimit: {
        description:
          'What is left of the window (draft-ietf-httpapi-ratelimit-headers-10): `"key";r=<remaining>;t=<seconds to reset>`. Sent ' +
          'with every answer about a key that has a rateLimit.',
        schema: { type: 'string' },
        example: '"key";r=41;t=17',
      },
    };
    document.paths['/v1/verify'] = {
      post: {
        operationId: 'verifyKey',
        tags: ['verify'],
        summary: 'Verify an API key',
        description:
          'Checks a key your caller presented and answers 200 with a verdict: `valid` and a `code` (VALID or why not), and for a ' +
          'key of your tenant its id, owner, scopes, meta, expiry, credits and rate limit window. The checks run in the order of ' +
          '`code`: the first that fails is the answer. Only a VALID answer takes `cost` from the rate limit and the credits; ' +
          'limits and credits are exact however many verify processes serve the key. A key with a rateLimit gets the RateLimit ' +
          'and RateLimit-Policy headers on every answer, and RATE_LIMITED adds Retry-After. A change made through the admin API ' +
          '(revoke, disable, patch, rotate, tenant suspend) is in force within 1 second.\n\n' +
          "Callers: tenant credentials with the role `verifier`, for their own tenant's keys.",
        security: [{ [TENANT_CREDENTIAL_AUTH]: [] }],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/VerifyRequest' }, examples: REQUEST_EXAMPLES } },
        },
        responses: {
          '200': {
            description: `The verdict. ${VERIFY_CODES.map((code) => `${code}: ${VERIFY_CODE_MEANINGS[code]}`).join(' ')}`,
            headers: {
              'RateLimit-Policy': { $ref: '#/components/headers/RateLimit-Policy' },
              RateLimit: { $ref: '#/components/headers/RateLimit' },
              'Retry-After': OPENAPI_HEADER_REFS['Retry-After'],
            },
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/VerifyAnswer' },
                examples: Object.fromEntries(
                  VERIFY_CODES.map((code) => [code, { summary: VERIFY_CODE_MEANINGS[code], value: answerExample(code) }]),
                ),
              },
            },
          },
          ...problemResponses(...VERIFY_PROBLEMS),
        },
      },
    };
  },
};
