// The verify request and answer as JSON Schema: Fastify validates and serialises with them, and
// the OpenAPI document of the verify port is built from the same objects.
import { VERIFY_CODES, type VerifyCode } from '@keyward/keys';

export const VERIFY_REQUEST_SCHEMA = {
  type: 'object',
  required: ['key'],
  additionalProperties: false,
  properties: {
    // No maxLength: a string of any other shape, however long, is answered 200 MALFORMED (docs/api.md, Verify);
    // the body limit bounds it.
    key: {
      type: 'string',
      description:
        'The API key your caller presented, as it was given. A string of any other shape (the empty string too) is answered MALFORMED.',
    },
    scopes: {
      type: 'array',
      maxItems: 100,
      items: { type: 'string', minLength: 1, maxLength: 64 },
      description:
        'Scopes the call needs: every one must be granted by the key (a grant ending in `*` covers what begins with what precedes it), else INSUFFICIENT_SCOPE',
    },
    scopeQuery: {
      type: 'string',
      maxLength: 1_000,
      description:
        'Scopes the call needs, as a query: scope names combined with AND, OR and parentheses, AND binding tighter than OR ' +
        '(`billing:read AND (orders:write OR orders:admin)`); at most 1,000 characters and 100 scopes. Grants apply as for ' +
        '`scopes` (both may be sent: both must be satisfied), else INSUFFICIENT_SCOPE. A query that does not parse is a 400 naming `scopeQuery`.',
    },
    ip: {
      type: 'string',
      maxLength: 64,
      description:
        "Your caller's IP address (IPv4 or IPv6). Needed for a key with an ipAllowlist: without it, such a key is IP_NOT_ALLOWED. " +
        'Its network is what the webhook key.new_source compares, when the tenant enables it.',
    },
    cost: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      default: 1,
      description: 'What the call costs: a VALID answer takes this much from every applied rate limit and credit pool',
    },
    rateLimits: {
      type: 'array',
      maxItems: 20,
      description:
        'Named limits to apply beside the always-applied ones: the on-request limits of the key or its owner that this call counts against, and a cost per named limit other than `cost`. A name neither has is a 400.',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$' },
          cost: { type: 'integer', minimum: 1, maximum: 1_000_000, description: "Default: the request's `cost`" },
        },
      },
    },
    principal: {
      type: 'boolean',
      description:
        'Whether a VALID answer should carry a signed principal: the `Keyward-Principal` header and the `principal` field, a ' +
        'JWS (EdDSA) your service can pass on and others can check offline against GET /.well-known/jwks.json. Only when ' +
        'the deployment signs principals (KEYWARD_PRINCIPAL_SIGNING=1); otherwise the answer has neither.',
    },
  },
} as const;

/** What each verify code means, in the order of precedence: where several apply, the first wins. */
export const VERIFY_CODE_MEANINGS: Readonly<Record<VerifyCode, string>> = {
  VALID: 'The key is good for this call: every check passed, and `cost` was taken from its rate limit and credits.',
  MALFORMED: "Not a key of this deployment's format (shape or checksum); no store was asked.",
  NOT_FOUND: 'No such key, or a key of another tenant.',
  REVOKED: 'The key was revoked.',
  EXPIRED: 'The key is past its expiresAt (a rotated key past its grace period too).',
  DISABLED: 'The key is disabled, or its tenant is suspended.',
  IP_NOT_ALLOWED: 'The key has an ipAllowlist, and `ip` was not sent or is outside it.',
  INSUFFICIENT_SCOPE: 'Some of the requested `scopes` are not granted by the key, or its scopes do not satisfy `scopeQuery`.',
  RATE_LIMITED: "The key's rate limit has no room for `cost` in this window; Retry-After says when to try again.",
  USAGE_EXCEEDED: "The key's credits (remaining) are fewer than `cost`.",
};

export const VERIFY_RESPONSE_SCHEMA = {
  type: 'object',
  description:
    'The verdict. MALFORMED and NOT_FOUND answers hold `valid` and `code` only; every other answer describes the key. Only a VALID answer charges anything.',
  required: ['valid', 'code'],
  properties: {
    valid: { type: 'boolean', description: 'True exactly when `code` is VALID' },
    code: {
      type: 'string',
      enum: [...VERIFY_CODES],
      description: `Where several apply, the first in this list wins: ${VERIFY_CODES.map((code) => `${code}: ${VERIFY_CODE_MEANINGS[code]}`).join(' ')}`,
    },
    keyId: { type: 'string', format: 'uuid', description: "The key's id" },
    name: { type: 'string', description: "The key's name" },
    ownerId: { type: 'string', nullable: true, description: "The key's ownerId (your customer or service), if set" },
    environment: { type: 'string', enum: ['live', 'test'] },
    scopes: {
      type: 'array',
      items: { type: 'string' },
      description: 'The scopes the key grants: its own, then those of its roles (its effective scopes)',
    },
    roles: { type: 'array', items: { type: 'string' }, description: "The names of the key's roles" },
    meta: { type: 'object', additionalProperties: true, description: "The key's meta, as set through the admin API" },
    expiresAt: { type: 'string', format: 'date-time', nullable: true },
    remaining: {
      type: 'integer',
      nullable: true,
      minimum: 0,
      description: 'Credits left after this call (null: unlimited)',
    },
    credits: {
      type: 'object',
      description: 'Credits left after this call, when the key or its owner has credits',
      properties: {
        remaining: { type: 'integer', nullable: true, minimum: 0, description: "The key's own (null: unlimited)" },
        ownerRemaining: { type: 'integer', minimum: 0, description: "The owner's shared credits, when its owner has some" },
      },
    },
    rateLimits: {
      type: 'array',
      description: "Every limit applied to this call, the key's and its owner's",
      items: {
        type: 'object',
        required: ['name', 'scope', 'limit', 'remaining', 'resetAt', 'exceeded'],
        properties: {
          name: { type: 'string' },
          scope: { type: 'string', enum: ['key', 'owner'] },
          limit: { type: 'integer', minimum: 1 },
          remaining: { type: 'integer', minimum: 0, description: 'Units left for the next call' },
          resetAt: { type: 'string', format: 'date-time', description: "When the limit next has room (fixed: the window's end)" },
          exceeded: { type: 'boolean', description: 'Whether this limit refused the call' },
        },
      },
    },
    owner: {
      type: 'object',
      description: "A VALID answer for a key whose ownerId has an owner record: the owner's name and meta",
      properties: {
        ownerId: { type: 'string' },
        name: { type: 'string', nullable: true },
        meta: { type: 'object', additionalProperties: true },
      },
    },
    principal: {
      type: 'string',
      description:
        'A VALID answer to a request with `principal: true`, when the deployment signs principals: the compact JWS of the ' +
        '`Keyward-Principal` header (claims iss, sub, tid, own, scp, rol, iat, exp, jti), valid for 60 seconds',
    },
    rateLimit: {
      type: 'object',
      description: "The key's rate limit window, when the key has a rateLimit (the limit named `key`)",
      required: ['limit', 'remaining', 'resetAt'],
      properties: {
        limit: { type: 'integer', minimum: 1, description: 'VALID answers allowed per window' },
        remaining: { type: 'integer', minimum: 0, description: 'VALID answers left in this window' },
        resetAt: { type: 'string', format: 'date-time', description: 'When the window ends' },
      },
    },
  },
} as const;

export interface VerifyRequest {
  key: string;
  scopes?: string[];
  scopeQuery?: string;
  ip?: string;
  cost?: number;
  rateLimits?: Array<{ name: string; cost?: number }>;
  principal?: boolean;
}

export interface AppliedLimitAnswer {
  name: string;
  scope: 'key' | 'owner';
  limit: number;
  remaining: number;
  resetAt: string;
  exceeded: boolean;
}

export interface VerifyAnswer {
  valid: boolean;
  code: VerifyCode;
  keyId?: string;
  name?: string;
  ownerId?: string | null;
  environment?: 'live' | 'test';
  scopes?: string[];
  roles?: string[];
  meta?: Record<string, unknown>;
  expiresAt?: string | null;
  remaining?: number | null;
  credits?: { remaining: number | null; ownerRemaining?: number };
  rateLimits?: AppliedLimitAnswer[];
  owner?: { ownerId: string; name: string | null; meta: Record<string, unknown> };
  rateLimit?: { limit: number; remaining: number; resetAt: string };
  principal?: string;
}
