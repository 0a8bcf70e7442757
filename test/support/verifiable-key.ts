// A key record as verify caches it, for tests of the verify path below HTTP: a live key with no
// limits, scopes, roles, expiry or allowlist, unless `overrides` says otherwise.
import type { VerifiableKey } from '@keyward/keys';
import { randomUUID } from 'node:crypto';

export function verifiableKey(overrides: Partial<VerifiableKey> = {}): VerifiableKey {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    tenantId: randomUUID(),
    name: 'test key',
    ownerId: null,
    environment: 'live',
    scopes: [],
    roles: [],
    meta: {},
    expiresAt: null,
    revoked: false,
    enabled: true,
    ipAllowlist: null,
    rateLimits: [],
    rateLimit: null,
    remaining: null,
    creditsVersion: 0,
    creditsRefill: null,
    counterTag: id,
    ...overrides,
  };
}
