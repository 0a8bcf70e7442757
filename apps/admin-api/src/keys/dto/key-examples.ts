import { EXAMPLE } from '../../openapi-examples';
import type { CreateKeyDto } from './create-key.dto';
import type { RevokeKeyDto, RotateKeyDto } from './rotate-key.dto';
import type { UpdateKeyDto } from './update-key.dto';

/** One scope as the schema describes it (domain/scopes.ts checks it): `*` may stand only last. */
export const SCOPE_ITEM_SCHEMA = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9_.:-]*\\*?$' } as const;

/** An IPv4/IPv6 address or CIDR (domain/ip-allowlist.ts checks it). */
export const IP_ALLOWLIST_ITEM_SCHEMA = { type: 'string', minLength: 1, maxLength: 64 } as const;

type Examples<T> = Record<string, { summary: string; value: T }>;

export const CREATE_KEY_EXAMPLES: Examples<CreateKeyDto> = {
  minimal: { summary: 'A key with a name only: live, no scopes, no limits, no expiry', value: { name: 'Checkout service' } },
  everything: {
    summary: 'Every setting',
    value: {
      name: 'Checkout service',
      ownerId: 'cus_4711',
      scopes: ['billing:*', 'reports:read'],
      environment: 'live',
      expiresAt: EXAMPLE.expiresAt,
      meta: { plan: 'pro' },
      rateLimit: { limit: 100, windowSeconds: 60 },
      remaining: 10_000,
      ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'],
      rotation: { intervalSeconds: 7_776_000, gracePeriodSeconds: 86_400 },
    },
  },
  namedLimits: {
    summary: 'Several named limits, and credits that refill each day',
    value: {
      name: 'Checkout service',
      ownerId: 'cus_4711',
      rateLimits: [
        { name: 'per-second', limit: 10, windowSeconds: 1, algorithm: 'sliding' },
        { name: 'per-day', limit: 50_000, windowSeconds: 86_400 },
        { name: 'exports', limit: 5, windowSeconds: 3600, apply: 'on-request' },
      ],
      credits: { remaining: 1000, refill: { interval: 'daily', amount: 1000 } },
    },
  },
};

export const UPDATE_KEY_EXAMPLES: Examples<UpdateKeyDto> = {
  limits: {
    summary: 'Raise the rate limit and top up the credits',
    value: { rateLimit: { limit: 1000, windowSeconds: 60 }, remaining: 50_000 },
  },
  credits: {
    summary: 'Credits of 5,000 that refill on the 15th of each month',
    value: { credits: { remaining: 5000, refill: { interval: 'monthly', amount: 5000, dayOfMonth: 15 } } },
  },
  disable: { summary: 'Disable the key (verify answers DISABLED)', value: { enabled: false } },
  clear: {
    summary: 'Remove the expiry, the credits limit and the IP allowlist',
    value: { expiresAt: null, remaining: null, ipAllowlist: null },
  },
};

export const ROTATE_KEY_EXAMPLES: Examples<RotateKeyDto> = {
  grace: { summary: 'Keep the old key working for an hour', value: { gracePeriodSeconds: 3600 } },
  now: { summary: 'Stop the old key at once', value: { gracePeriodSeconds: 0 } },
};

export const REVOKE_KEY_EXAMPLES: Examples<RevokeKeyDto> = {
  reason: { summary: 'With a reason for the audit log', value: { reason: 'Leaked in a public repository' } },
};
