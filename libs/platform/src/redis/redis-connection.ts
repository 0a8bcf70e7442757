import Redis, { Cluster, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config/keyward-config';

/** A connection to one Redis server, or to a Redis Cluster (which routes each key to its master). */
export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /**
   * Wait for Redis instead of failing fast: commands queue while it is unreachable and have no
   * time-out. For subscribers and for BullMQ, whose blocking commands outlast any time-out.
   */
  patient?: boolean;
  /** A standalone connection gives up (emits 'end') after this many failed reconnections. */
  reconnectAttempts?: number;
  /**
   * Send each command at most once, for callers that answer "failed" when a command is not
   * answered in time and must then be sure it never runs later (the admin API's job queues): no
   * retry of a command after a reconnection, none queued while Redis is unreachable, and no
   * pipelining with other callers' commands. Implies fail-fast (not `patient`).
   */
  atMostOnce?: boolean;
  /** How long a command may wait for its answer (fail-fast connections; default 1000 ms). */
  commandTimeoutMs?: number;
}

const backOff = (attempt: number): number => Math.min(attempt * 200, 2000);

/**
 * A Redis connection that, unless `patient`, fails fast: a command waits at most a second, and
 * while Redis is unreachable commands are refused at once instead of queueing without bound.
 * A cluster target gets an ioredis Cluster with the same behaviour on every node.
 */
export function createRedisConnection(target: RedisTarget, connectionName: string, options: RedisConnectionOptions = {}): RedisClient {
  const { atMostOnce = false, reconnectAttempts } = options;
  const patient = !atMostOnce && (options.patient ?? false);
  const nodeOptions: RedisOptions = {
    connectionName,
    connectTimeout: 2000,
    ...(patient
      ? { maxRetriesPerRequest: null }
      : { commandTimeout: options.commandTimeoutMs ?? 1000, maxRetriesPerRequest: atMostOnce ? 0 : 1 }),
    ...(atMostOnce ? { autoResendUnfulfilledCommands: false } : {}),
  };
  if (target.mode === 'standalone') {
    return new Redis(target.url, {
      ...nodeOptions,
      enableOfflineQueue: patient,
      // Commands issued in one turn of the event loop go out in one write and come back in one
      // read: under load, verify's limit checks of many requests share their system calls
      // (measured: see docs/architecture.md, Limit checks in batches). A command still fails at once while Redis is down.
      enableAutoPipelining: !patient && !atMostOnce,
      retryStrategy: (attempt) => (reconnectAttempts !== undefined && attempt > reconnectAttempts ? null : backOff(attempt)),
      lazyConnect: false,
    });
  }
  return new Cluster(
    target.nodes.map((node) => ({ ...node })),
    {
      redisOptions: { ...nodeOptions, username: target.username, password: target.password, tls: target.tls ? {} : undefined },
      enableOfflineQueue: patient,
      clusterRetryStrategy: backOff,
      slotsRefreshTimeout: 2000,
      // Limits and credits must be exact: reads go to the key's master, never to a replica that lags.
      scaleReads: 'master',
      // Auto-pipelining stays off: in cluster mode ioredis holds auto-pipelined commands until the
      // cluster is ready, which would turn a fail-fast command into one that waits.
      enableAutoPipelining: false,
      // With TLS the certificate names the host, not its address: connect by the name as given
      // (ioredis's advice for TLS clusters such as AWS ElastiCache).
      ...(target.tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
    },
  );
}

/**
 * One standalone target per node of `target` (the target itself when it is one server), with the
 * cluster's credentials: for what needs a plain connection to some node, such as a subscriber.
 */
export function nodeTargets(target: RedisTarget): RedisTarget[] {
  if (target.mode === 'standalone') return [target];
  const user = target.username ? encodeURIComponent(target.username) : '';
  const password = target.password ? `:${encodeURIComponent(target.password)}` : '';
  const credentials = user || password ? `${user}${password}@` : '';
  return target.nodes.map(({ host, port }) => ({
    mode: 'standalone',
    url: `${target.tls ? 'rediss' : 'redis'}://${credentials}${host.includes(':') ? `[${host}]` : host}:${port}`,
  }));
}

/** The connection to each master: SCAN, PING and the like see only the node they are sent to. */
export function masterConnections(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/**
 * Every key on `node` under `prefix`, BullMQ's too (they start with `{<prefix>`: the queue prefix
 * sits inside a hash tag), a batch per SCAN step. SCAN sees one node: in a cluster, call it for
 * each of masterConnections().
 */
export async function* keysUnder(node: Redis, prefix: string): AsyncGenerator<string[]> {
  for (const pattern of [`${prefix}*`, `{${prefix}*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) yield keys;
      cursor = next;
    } while (cursor !== '0');
  }
}

/**
 * A standalone REDIS_URL as ioredis options, for libraries that must own (and so close) their
 * connections, such as BullMQ: handed a ready connection, it treats it as shared and never closes it.
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
