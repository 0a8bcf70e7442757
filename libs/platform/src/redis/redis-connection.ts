import Redis, { type RedisOptions } from 'ioredis';

/**
 * A Redis connection that fails fast: a command waits at most `commandTimeoutMs`, and while the
 * server is unreachable commands are refused at once instead of queueing without bound.
 */
export function createRedisConnection(url: string, connectionName: string, overrides: RedisOptions = {}): Redis {
  return new Redis(url, {
    connectionName,
    commandTimeout: 1000,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
    ...overrides,
  });
}
