// What the admin API's OpenAPI document says beyond what Nest scans from the controllers: its
// description, its tags and the answers every route shares. The reference in words: docs/api.md.
import { ApiProblems, PLATFORM_OPERATOR_AUTH, TENANT_CREDENTIAL_AUTH, type OpenApiOptions } from '@keyward/platform';

export const ADMIN_API_OPENAPI: OpenApiOptions = {
  title: 'Keyward admin API',
  description:
    'Tenants, credentials, API keys, owners, policy, the audit log and webhooks. JSON in and out; timestamps are RFC 3339 date-times ' +
    'in UTC; ids are opaque strings (UUIDs today). Errors are `application/problem+json` (schema Problem): branch on `code`. ' +
    'Lists take `limit` (1 to 100, default 50) and `cursor` (the `nextCursor` of the previous page) and answer ' +
    '`{data, nextCursor}`, `nextCursor` null on the last page. Creating requests take an optional `Idempotency-Key`. Each ' +
    'credential has a request rate limit (`ADMIN_RATE_LIMIT_PER_MINUTE`, 429 RATE_LIMITED past it). Every answer carries ' +
    '`X-Request-Id`. Keys are checked by the verify service, which serves its own document. The reference in words: docs/api.md.',
  tags: [
    { name: 'tenants', description: 'Tenants and their credentials (platform operator)' },
    { name: 'credentials', description: "A tenant's own credentials (tenant admin)" },
    { name: 'keys', description: 'API keys: issue, list, change, credits, rotate, reveal, revoke, usage (tenant admin; auditors read)' },
    { name: 'owners', description: "Owners: limits and credits shared by a customer's keys (tenant admin; auditors read)" },
    { name: 'policy', description: 'The tenant policy: unused keys, key lifetime, expiry warnings (tenant admin; auditors read)' },
    { name: 'audit', description: 'The hash-chained audit log: list, export, verify (tenant admin, auditor)' },
    { name: 'reports', description: 'What the scheduled jobs found (tenant admin, auditor)' },
    { name: 'webhooks', description: 'Webhook subscriptions and their deliveries (tenant admin)' },
    { name: 'roles', description: 'Named sets of scopes that keys take by name (tenant admin; auditors read)' },
    { name: 'jobs', description: 'The scheduled jobs and their queues: run now, follow a run, retry (platform operator)' },
    { name: 'signing-keys', description: "The deployment's signing keys: rotate the key of signed principals (platform operator)" },
    { name: 'secret-scanning', description: "Leaked-token reports of GitHub's secret scanning partner program (signed by GitHub)" },
  ],
  schemes: [PLATFORM_OPERATOR_AUTH, TENANT_CREDENTIAL_AUTH],
};

/** The answers every route of the platform operator can give (on the controller; its routes add their own). */
export const ApiPlatformRouteProblems = (): ClassDecorator & MethodDecorator =>
  ApiProblems(
    'UNAUTHENTICATED',
    { code: 'FORBIDDEN', when: 'The caller is a tenant credential: only the platform operator may do this.' },
    'RATE_LIMITED',
    'SERVICE_UNAVAILABLE',
  );

/** The answers every route of tenant credentials can give (on the controller; its routes add their own). */
export const ApiTenantRouteProblems = (): ClassDecorator & MethodDecorator =>
  ApiProblems(
    'UNAUTHENTICATED',
    { code: 'FORBIDDEN', when: 'The caller is the platform operator, or a credential whose role may not do this (see Callers).' },
    'TENANT_SUSPENDED',
    'RATE_LIMITED',
    'SERVICE_UNAVAILABLE',
  );

/** What a route that reads a JSON body answers when the body cannot be read, beside VALIDATION_FAILED. */
export const BODY_PROBLEMS = ['MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'] as const;

/** What a route that takes an Idempotency-Key (ApiIdempotencyKey) answers about it, beside VALIDATION_FAILED. */
export const IDEMPOTENCY_PROBLEMS = ['IDEMPOTENCY_KEY_IN_USE', 'IDEMPOTENCY_KEY_REUSED'] as const;
