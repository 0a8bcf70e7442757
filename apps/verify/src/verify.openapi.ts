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
import { FORWARD_AUTH_ROUTE, FORWARD_AUTH_STATUS, GATEWAYS } from './forward-auth-handler';
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
    code: 'IDEMPOTENCY_KEY_REUSED',
    when: 'The Idempotency-Key was sent with another request body by this verifier within the last 60 seconds.',
    detail: 'This Idempotency-Key was used with another verification request within the last 60 seconds.',
  },
  {
    code: 'SERVICE_UNAVAILABLE',
    when: 'PostgreSQL cannot be read for a key or credential not yet cached; `Retry-After` says when to try again.',
    detail: 'The key store is unavailable; retry shortly.',
  },
];

/** The scheme of a gateway's credential on /v1/forward-auth: a header of its own, not a bearer token (docs/gateways.md). */
const GATEWAY_VERIFIER_AUTH = 'gatewayVerifier';

const codesOfStatus = (status: number): string =>
  VERIFY_CODES.filter((code) => FORWARD_AUTH_STATUS[code] === status)
    .map((code) => `\`${code}\``)
    .join(', ');

const FORWARD_AUTH_PROBLEMS: Array<ProblemCode | ProblemCase> = [
  {
    code: 'VALIDATION_FAILED',
    when: 'A parameter of the query is unknown, given twice or has a bad value; `errors` names each one.',
    errors: [{ field: 'cost', message: 'must be an integer from 1 to 1000000' }],
  },
  {
    code: 'UNAUTHENTICATED',
    when: `The key is refused: Keyward-Code ${codesOfStatus(401)} (\`MALFORMED\` too when no key was sent). \`WWW-Authenticate: Bearer error="invalid_token"\`, or \`Bearer\` alone when no key was sent.`,
    detail: `The key was refused: NOT_FOUND. ${VERIFY_CODE_MEANINGS.NOT_FOUND}`,
  },
  {
    code: 'FORBIDDEN',
    when: `The key may not make this request: Keyward-Code ${codesOfStatus(403)}; with \`gateway=nginx\` also \`RATE_LIMITED\` (with Retry-After) and \`USAGE_EXCEEDED\`.`,
    detail: `The key was refused: INSUFFICIENT_SCOPE. ${VERIFY_CODE_MEANINGS.INSUFFICIENT_SCOPE}`,
  },
  {
    code: 'RATE_LIMITED',
    when: `The key's limits say no: Keyward-Code ${codesOfStatus(429)}; \`Retry-After\` with \`RATE_LIMITED\`.`,
    detail: `The key was refused: RATE_LIMITED. ${VERIFY_CODE_MEANINGS.RATE_LIMITED}`,
  },
  'VERIFIER_REJECTED',
  {
    code: 'SERVICE_UNAVAILABLE',
    when: 'PostgreSQL cannot be read for a key or credential not yet cached; `Retry-After` says when to try again.',
    detail: 'The key store is unavailable; retry shortly.',
  },
];

const keywardHeader = (description: string, example: string) => ({ description, schema: { type: 'string' }, example });

/** /v1/forward-auth, served ahead of the framework beside /v1/verify (forward-auth-handler.ts). */
const FORWARD_AUTH_OPERATION = {
  operationId: 'forwardAuth',
  tags: ['verify'],
  summary: 'Check the key of a request a gateway forwards',
  description:
    'For nginx `auth_request`, Envoy `ext_authz` (HTTP service) and Traefik `ForwardAuth` (docs/gateways.md): the gateway sends ' +
    "its client's request headers, and Keyward checks the key in `Authorization: Bearer <key>` or `X-API-Key` as " +
    '`POST /v1/verify` does, with the address in `X-Real-IP` (else the first of `X-Forwarded-For`). **Any method** is ' +
    `answered alike, and **any path below** \`${FORWARD_AUTH_ROUTE}/\` too (Envoy's path_prefix puts the client's path there; ` +
    "the query of such a path is the client's and is not read). The answer has no body except a problem on refusal, and " +
    'always carries `Keyward-Code`. With `gateway=nginx` the two 429s are 403 instead (nginx turns any other status into a 500).\n\n' +
    'Callers: gateways, with a tenant credential of the role `verifier` in `Keyward-Verifier`.',
  security: [{ [GATEWAY_VERIFIER_AUTH]: [] }],
  parameters: [
    {
      name: 'scopes',
      in: 'query',
      required: false,
      description: "Scopes the request needs, comma-separated (each 1 to 64 characters, at most 100), as `POST /v1/verify`'s `scopes`",
      schema: { type: 'string' },
      example: 'orders:read,orders:write',
    },
    {
      name: 'scopeQuery',
      in: 'query',
      required: false,
      description: "A scope expression, as `POST /v1/verify`'s `scopeQuery` (at most 1,000 characters)",
      schema: { type: 'string', maxLength: 1000 },
    },
    {
      name: 'cost',
      in: 'query',
      required: false,
      description: "What the request costs (default 1), as `POST /v1/verify`'s `cost`",
      schema: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
    },
    {
      name: 'gateway',
      in: 'query',
      required: false,
      description: 'The gateway asking; `nginx` makes both 429s 403',
      schema: { type: 'string', enum: [...GATEWAYS] },
    },
    {
      name: 'X-API-Key',
      in: 'header',
      required: false,
      description: "The client's key, when it did not send `Authorization: Bearer <key>`",
      schema: { type: 'string' },
    },
    { name: 'X-Real-IP', in: 'header', required: false, description: "The client's address", schema: { type: 'string' } },
    {
      name: 'X-Forwarded-For',
      in: 'header',
      required: false,
      description: "Without X-Real-IP, its first address is taken for the client's",
      schema: { type: 'string' },
    },
  ],
  responses: {
    '200': {
      description: 'VALID: the request may pass. No body.',
      headers: {
        'Keyward-Code': keywardHeader('The verify code: `VALID` here; on a refusal, why', 'VALID'),
        'Keyward-Key-Id': keywardHeader("The key's id", EXAMPLE_KEY_FIELDS.keyId),
        'Keyward-Owner-Id': keywardHeader(
          "The key's ownerId, when it has one; percent-encoded unless it is printable ASCII without `%` and without a space at either end",
          EXAMPLE_KEY_FIELDS.ownerId,
        ),
        'Keyward-Scopes': keywardHeader("The key's scopes, comma-separated", EXAMPLE_KEY_FIELDS.scopes.join(',')),
        'Keyward-Meta': keywardHeader(
          "The key's meta: base64url of its JSON",
          Buffer.from(JSON.stringify(EXAMPLE_KEY_FIELDS.meta)).toString('base64url'),
        ),
        'Keyward-Principal': { $ref: '#/components/headers/Keyward-Principal' },
        'RateLimit-Policy': { $ref: '#/components/headers/RateLimit-Policy' },
        RateLimit: { $ref: '#/components/headers/RateLimit' },
      },
    },
    ...problemResponses(...FORWARD_AUTH_PROBLEMS),
  },
};

/** The verify port's document options: its one tag and scheme, and the route Nest does not scan. */
export const VERIFY_OPENAPI: OpenApiOptions = {
  title: 'Keyward verify service',
  description:
    'Checks API keys for your services: `POST /v1/verify` with a tenant `verifier` credential, and `/v1/forward-auth` for gateways in front of them. Every answer about a key is a 200 ' +
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
    document.components!.securitySchemes = {
      ...document.components!.securitySchemes,
      [GATEWAY_VERIFIER_AUTH]: {
        type: 'apiKey',
        in: 'header',
        name: 'Keyward-Verifier',
        description:
          "A gateway's tenant credential of the role `verifier` (`kwc_…`), in a header of its own: the client's `Authorization` is the client's.",
      },
    };
    document.components!.headers = {
      ...document.components!.headers,
      'Keyward-Principal': {
        description:
          'A signed principal, when the deployment signs them (KEYWARD_PRINCIPAL_SIGNING=1): on a VALID forward-auth answer, and on ' +
          'a VALID `POST /v1/verify` answer to a request with `principal: true`. A compact JWS (EdDSA, Ed25519; header `kid`) ' +
          'with the claims `iss`, `sub` (the key id), `tid` (the tenant id), `own` (the ownerId, when set), `scp` (the effective ' +
          'scopes), `rol` (the roles, when any), `iat`, `exp` (`iat` + 60) and `jti`; its keys are at GET /.well-known/jwks.json.',
        schema: { type: 'string' },
      },
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
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              '1 to 255 printable ASCII characters. A retry with the same key from the same verifier within 60 seconds gets the ' +
              'first decision again (same code, same remaining) and charges nothing more, on any verify process; the same key with ' +
              'another body within that time is 422 IDEMPOTENCY_KEY_REUSED.',
            schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
            example: 'order-4711-attempt',
          },
        ],
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
              'Keyward-Principal': { $ref: '#/components/headers/Keyward-Principal' },
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
    document.paths[FORWARD_AUTH_ROUTE] = { get: FORWARD_AUTH_OPERATION as never };
  },
};
