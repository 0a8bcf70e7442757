import type { Principal } from '@keyward/platform';

/**
 * The calling credential's tenant. Tenant routes never name a tenant in the path, so no other
 * tenant can be reached; the guards keep the platform operator off these routes.
 */
export function ownTenant(principal: Principal): string {
  if (principal.kind !== 'credential') throw new Error('tenant route reached by the platform operator');
  return principal.tenantId;
}
