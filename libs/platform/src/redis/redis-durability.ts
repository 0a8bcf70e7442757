// What Redis must be configured with for limits and credits to stay exact (docs/credits.md):
// no eviction (a balance or window evicted is one lost) and an append-only file (a restart without
// one loses every rate window). Checked on every master when the verify service starts; a Redis
// that refuses CONFIG (some managed services do) is reported as unchecked.
import type Redis from 'ioredis';
import { masterConnections, type RedisClient } from './redis-connection';

/** One line per problem found, each naming the node, what is wrong and what to set; empty when all is well. */
export async function redisDurabilityWarnings(client: RedisClient): Promise<string[]> {
  const warnings: string[] = [];
  for (const node of masterConnections(client)) {
    const name = nodeName(node);
    try {
      const [, policy] = (await node.config('GET', 'maxmemory-policy')) as string[];
      const [, appendOnly] = (await node.config('GET', 'appendonly')) as string[];
      if (policy !== 'noeviction') {
        warnings.push(
          `Redis ${name} may evict keys (maxmemory-policy ${policy}): a credit balance or rate window evicted is lost. Set maxmemory-policy noeviction.`,
        );
      }
      if (appendOnly !== 'yes') {
        warnings.push(
          `Redis ${name} keeps no append-only file (appendonly ${appendOnly}): a restart loses every rate window, so a key may get up to twice its limit in one window. Set appendonly yes.`,
        );
      }
    } catch (error) {
      warnings.push(
        `Redis ${name}: could not read its configuration (${(error as Error).message}). Make sure it runs with maxmemory-policy noeviction and appendonly yes.`,
      );
    }
  }
  return warnings;
}

function nodeName(node: Redis): string {
  return `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;
}
