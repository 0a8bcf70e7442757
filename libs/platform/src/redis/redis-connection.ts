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

/**
 * REDIS_URL as ioredis options, for libraries that must own (and so close) their connections,
 * such as BullMQ: handed a ready connection, it treats it as shared and never closes it.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: db ? Number(db) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}
