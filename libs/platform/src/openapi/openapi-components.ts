// The parts both OpenAPI documents share: the bearer schemes, the problem schema and the response
// headers. The HTTP reference in the project's own words is docs/api.md.
import { PROBLEM_CODES } from '../errors/problem-codes';

/** The security scheme of the platform operator's token (admin API). */
export const PLATFORM_OPERATOR_AUTH = 'platformOperator';
/** The security scheme of tenant credentials (admin API and verify service). */
export const TENANT_CREDENTIAL_AUTH = 'tenantCredential';

export type BearerSchemeName = typeof PLATFORM_OPERATOR_AUTH | typeof TENANT_CREDENTIAL_AUTH;

/** The bearer tokens the services accept: opaque secrets of their own format, never JWTs. */
export const BEARER_SCHEMES = {
  [PLATFORM_OPERATOR_AUTH]: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'kwp_... (or the PLATFORM_ADMIN_TOKEN the deployment sets)',
    description:
      "The platform operator's token: `PLATFORM_ADMIN_TOKEN` as the deployment sets it (at least 32 characters), or, where it is " +
      'unset, the `kwp_` token that `npm start` generates and prints once. It manages tenants and their credentials and runs jobs; ' +
      'it reads or changes nothing inside a tenant. Sent as `Authorization: Bearer <token>`; a missing or unknown token is 401.',
  },
  [TENANT_CREDENTIAL_AUTH]: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'kwc_<32 base62 characters><6-character checksum>',
    description:
      'A tenant credential: `<prefix>c_` (`kwc_` with the default `KEYWARD_KEY_PREFIX`), 32 base62 characters and a 6-character ' +
      'CRC-32 checksum, made by `POST /v1/tenants/{tenantId}/credentials` (platform operator) or `POST /v1/credentials` (tenant ' +
      'admin) and shown once. Its role decides what it may call: `admin` everything of its own tenant, `auditor` reads keys, usage, ' +
      'audit events and reports and changes nothing, `verifier` only `POST /v1/verify` on the verify service. Sent as ' +
      '`Authorization: Bearer <credential>`; a missing, unknown, expired or revoked credential is 401, a role that may not call ' +
      'the operation 403. API keys are not bearer tokens here: they are checked through `POST /v1/verify`.',
  },
} as const;

/** The problem+json schema every error answer refers to, with every code the services answer. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details. Branch on `code`, which is stable; `title` and `detail` are for people.',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'A URI per code: `urn:keyward:problem:` and the code in kebab case' },
    title: { type: 'string', description: 'A short summary of the code' },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status of the answer' },
    detail: { type: 'string', description: 'What went wrong with this request' },
    code: { type: 'string', enum: [...PROBLEM_CODES], description: 'The stable identifier to branch on' },
    requestId: { type: 'string', description: "The request's id, as in the X-Request-Id header" },
    errors: {
      type: 'array',
      description: 'With VALIDATION_FAILED: each invalid field, query value or header',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string', description: 'The field, as a dotted path (`rateLimit.limit`), or the query value or header' },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;

/** Response headers, as components: every answer carries X-Request-Id, the others come with some. */
export const OPENAPI_HEADERS = {
  'X-Request-Id': {
    description:
      "The request's id: the caller's `X-Request-Id` when it is 1 to 128 characters of `A-Z a-z 0-9 . _ : -`, else a new UUID. " +
      'Problems quote it as `requestId`, and the logs carry it.',
    schema: { type: 'string', maxLength: 128 },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 1 },
  },
  'WWW-Authenticate': {
    description: 'The authentication scheme to use: `Bearer`.',
    schema: { type: 'string', enum: ['Bearer'] },
  },
} as const;

export type OpenApiHeaderName = keyof typeof OPENAPI_HEADERS;

/** `$ref`s to OPENAPI_HEADERS, by name. */
export const OPENAPI_HEADER_REFS = Object.fromEntries(
  Object.keys(OPENAPI_HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }]),
) as Record<OpenApiHeaderName, { $ref: string }>;
