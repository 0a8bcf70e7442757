import { DomainError, NotFoundError } from '@keyward/platform';
import type { CreditRefill } from './credits';
import type { KeyEnvironment } from './key-format';
import type { NamedRateLimit } from './rate-limits';

export type KeyStatus = 'active' | 'disabled' | 'expired' | 'revoked';

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

export interface RotationSchedule {
  intervalSeconds: number;
  gracePeriodSeconds: number;
}

export type KeyMeta = Record<string, unknown>;

/** An API key as stored, without its hash. */
export interface ApiKey {
  id: string;
  tenantId: string;
  name: string;
  ownerId: string | null;
  start: string;
  environment: KeyEnvironment;
  scopes: string[];
  /** Names of the tenant's roles the key has: their scopes are granted too (docs/api.md, Roles). */
  roles: string[];
  meta: KeyMeta;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** Every named limit of the key (docs/api.md, Rate limits). */
  rateLimits: NamedRateLimit[];
  /** The v1 view of rateLimits: the fixed, always-applied limit named `key`. */
  rateLimit: RateLimit | null;
  remaining: number | null;
  /** Credits refill; null: none. */
  creditsRefill: CreditRefill | null;
  /** The refill period PostgreSQL's `remaining` belongs to (docs/credits.md); null without a refill. */
  creditsPeriod: number | null;
  refilledAt: Date | null;
  /** Bumped by every change of `remaining` through the API; guards credit write-backs. */
  creditsVersion: number;
  /** How often Redis's balance was seeded from `remaining` (docs/credits.md); tags the charges against each seed. */
  creditsSeed: number;
  ipAllowlist: string[] | null;
  rotation: RotationSchedule | null;
  previousKeyId: string | null;
}

/** The most permanent state first, as verify answers (docs/api.md, Verify codes). */
export function keyStatus(key: Pick<ApiKey, 'revokedAt' | 'expiresAt' | 'enabled'>, now: Date): KeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (!key.enabled) return 'disabled';
  return 'active';
}

/** A key with its plaintext, which exists only in this value and the response that carries it. */
export interface IssuedKey {
  key: ApiKey;
  plaintext: string;
}

export class KeyNotFoundError extends NotFoundError {
  constructor() {
    super('The key');
  }
}

export class KeyNotRotatableError extends DomainError {
  constructor(reason: string) {
    super('CONFLICT', `The key cannot be rotated: ${reason}.`);
  }
}

export class KeyRevokedError extends DomainError {
  constructor() {
    super('CONFLICT', 'The key is revoked and can no longer be changed.');
  }
}
