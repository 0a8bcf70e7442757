// The tenant the benchmarks verify against, made through the admin API as a user would.
import { post, put } from './http-load';

export interface BenchTenant {
  id: string;
  /** An admin credential's token. */
  adminToken: string;
  /** A verifier credential's token. */
  verifier: string;
  /** A key without limits. */
  plain: string;
  /** A key with a rate limit and credits, both too large to run out during a run. */
  limited: string;
  /** A key with two named limits and credits, of an owner with a limit and credits of its own: five counters per verification. */
  owned: string;
}

export async function createBenchTenant(adminUrl: string, platformToken: string, name: string): Promise<BenchTenant> {
  const tenant = await post(`${adminUrl}/v1/tenants`, platformToken, { name });
  const adminToken = (
    await post(`${adminUrl}/v1/tenants/${tenant.id}/credentials`, platformToken, { name: `${name}-admin`, role: 'admin' })
  ).token;
  const verifier = (
    await post(`${adminUrl}/v1/tenants/${tenant.id}/credentials`, platformToken, { name: `${name}-verifier`, role: 'verifier' })
  ).token;
  const plain = (await post(`${adminUrl}/v1/keys`, adminToken, { name: 'plain' })).key;
  const limited = (
    await post(`${adminUrl}/v1/keys`, adminToken, {
      name: 'limited',
      rateLimit: { limit: 1_000_000_000, windowSeconds: 3600 },
      remaining: 1_000_000_000_000,
    })
  ).key;
  await put(`${adminUrl}/v1/owners/bench-owner`, adminToken, {
    name: 'Bench owner',
    rateLimits: [{ name: 'shared', limit: 1_000_000_000, windowSeconds: 3600 }],
    credits: { remaining: 1_000_000_000_000 },
  });
  const owned = (
    await post(`${adminUrl}/v1/keys`, adminToken, {
      name: 'owned',
      ownerId: 'bench-owner',
      rateLimits: [
        { name: 'key', limit: 1_000_000_000, windowSeconds: 3600 },
        { name: 'daily', limit: 1_000_000_000, windowSeconds: 86_400 },
      ],
      credits: { remaining: 1_000_000_000_000 },
    })
  ).key;
  return { id: tenant.id, adminToken, verifier, plain, limited, owned };
}

/**
 * `count` more keys like `limited`, each with its own counters: verified in turn, no two requests
 * in flight share a key (there are more keys than connections), so no two share a limit check.
 */
export async function createLimitedKeys(adminUrl: string, adminToken: string, count: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = Array.from({ length: Math.min(20, count - i) }, (_, j) =>
      post(`${adminUrl}/v1/keys`, adminToken, {
        name: `limited-${i + j}`,
        rateLimit: { limit: 1_000_000_000, windowSeconds: 3600 },
        remaining: 1_000_000_000_000,
      }),
    );
    for (const created of await Promise.all(batch)) keys.push(created.key);
  }
  return keys;
}
