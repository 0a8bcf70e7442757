// The verify request and answer as JSON Schema: Fastify validates and serialises with them, and
// the OpenAPI document of the verify port is built from the same objects.
import { VERIFY_CODES, type VerifyCode } from '@keyward/keys';

export const VERIFY_REQUEST_SCHEMA = {
  type: 'object',
  required: ['key'],
  additionalProperties: false,
  properties: {
    // No maxLength: a string of any other shape, however long, is answered 200 MALFORMED (CONTRACT Verify);
    // the body limit bounds it.
    key: { type: 'string', description: 'The API key presented to your service' },
    scopes: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 64 } },
    ip: { type: 'string', maxLength: 64, description: "Your caller's IP address (IPv4 or IPv6)" },
    cost: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
  },
} as const;

export const VERIFY_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['valid', 'code'],
  properties: {
    valid: { type: 'boolean' },
    code: { type: 'string', enum: [...VERIFY_CODES] },
    keyId: { type: 'string' },
    ownerId: { type: 'string', nullable: true },
    environment: { type: 'string', enum: ['live', 'test'] },
    scopes: { type: 'array', items: { type: 'string' } },
    meta: { type: 'object', additionalProperties: true },
    expiresAt: { type: 'string', format: 'date-time', nullable: true },
    remaining: { type: 'integer', nullable: true },
    rateLimit: {
      type: 'object',
      properties: { limit: { type: 'integer' }, remaining: { type: 'integer' }, resetAt: { type: 'string', format: 'date-time' } },
    },
  },
} as const;

export interface VerifyRequest {
  key: string;
  scopes?: string[];
  ip?: string;
  cost?: number;
}

export interface VerifyAnswer {
  valid: boolean;
  code: VerifyCode;
  keyId?: string;
  ownerId?: string | null;
  environment?: 'live' | 'test';
  scopes?: string[];
  meta?: Record<string, unknown>;
  expiresAt?: string | null;
  remaining?: number | null;
  rateLimit?: { limit: number; remaining: number; resetAt: string };
}
