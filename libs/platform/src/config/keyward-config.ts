// The one place that reads the environment: every process turns it into this frozen, typed object
// at boot and passes it down. A bad value stops the boot with a message naming the variable, never
// echoing its value (it may be a secret).
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { loadOrCreateSecret } from './data-dir-secrets';

export type NodeEnv = 'development' | 'production' | 'test';

/** pino's levels, and `silent` for none. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One JSON object a line (for machines), or one readable line a record (for a terminal). */
export type LogFormat = 'json' | 'pretty';

/** What loadKeywardConfig reads of the process besides its environment variables. */
export interface ProcessFacts {
  /** Whether standard output is a terminal (the default log format depends on it). */
  readonly stdoutIsTty: boolean;
}

export interface KeywardConfig {
  readonly nodeEnv: NodeEnv;
  readonly dataDir: string;
  /**
   * Runtime connection (DATABASE_APP_URL, else DATABASE_URL): a role that is neither superuser nor
   * table owner, so row-level security holds. Migrations use DATABASE_URL, the owner.
   */
  readonly databaseUrl: string;
  /** One Redis server, or a Redis Cluster (REDIS_URL, REDIS_CLUSTER_NODES). */
  readonly redis: RedisTarget;
  /**
   * Prefix of every Redis key and channel, so deployments (and test runs) can share one Redis. It
   * may hold no braces: Keyward puts the hash tags (`{...}`) in its keys itself.
   */
  readonly redisKeyPrefix: string;
  readonly host: string;
  readonly adminPort: number;
  readonly verifyPort: number;
  readonly workerPort: number;
  readonly platformAdminToken: string;
  /** True when no PLATFORM_ADMIN_TOKEN was given and this process made one up (development only). */
  readonly platformAdminTokenGenerated: boolean;
  readonly pepper: Buffer;
  readonly encryptionKey: Buffer;
  readonly keyPrefix: string;
  readonly adminRateLimitPerMinute: number;
  /**
   * LOG_LEVEL: `info` in production, `warn` elsewhere (`npm start` then prints warnings and errors
   * only). Access lines are at debug (2xx, 3xx), info (4xx) and error (5xx); see logging/access-log.ts.
   */
  readonly logLevel: LogLevel;
  /** LOG_FORMAT: `pretty` when standard output is a terminal, `json` in production and when it is not one. */
  readonly logFormat: LogFormat;
  readonly bodyLimitBytes: number;
  readonly shutdownGraceMs: number;
  /**
   * How long an HTTP service keeps serving after SIGTERM while /readyz already answers 503
   * (SHUTDOWN_DRAIN_MS): time for load balancers to see it and move new traffic elsewhere before
   * the listener closes. 5 s in production, 0 elsewhere (a developer's Ctrl-C stops at once).
   */
  readonly shutdownDrainMs: number;
  /** Whether webhook URLs may use http: as well as https: (KEYWARD_WEBHOOK_ALLOW_HTTP=1). */
  readonly webhookAllowHttp: boolean;
  /**
   * Whether webhook URLs may resolve to loopback, private, link-local and other non-public
   * addresses (KEYWARD_WEBHOOK_ALLOW_PRIVATE=1; embedded mode and tests).
   */
  readonly webhookAllowPrivate: boolean;
  /**
   * Whether the webhook sender may connect to loopback addresses only (KEYWARD_WEBHOOK_LOOPBACK_ONLY=1):
   * every other connection is refused at the socket, whatever the URL rules allowed. Tests set it,
   * so that no test can ever send a delivery off the machine.
   */
  readonly webhookLoopbackOnly: boolean;
  /**
   * Fixed answers for webhook host names, consulted before DNS (KEYWARD_WEBHOOK_HOSTS, entries
   * `name=address` separated by commas; a name may repeat for several addresses). Tests map names
   * under the reserved `.test` domain to 127.0.0.1 with it.
   */
  readonly webhookHosts: ReadonlyMap<string, readonly string[]>;
  /**
   * Where GitHub publishes the public keys that sign its secret scanning reports
   * (KEYWARD_GITHUB_KEYS_URL; docs/secret-scanning.md). Tests point it at a server of their own.
   */
  readonly githubKeysUrl: string;
  /** What verify answers for a key with limits while Redis is unreachable (VERIFY_LIMITS_ON_REDIS_DOWN). */
  readonly verifyLimitsOnRedisDown: 'deny' | 'allow';
  /**
   * Signed principals (docs/gateways.md, Signed principals): whether verify adds a `Keyward-Principal`
   * JWS to VALID forward-auth answers and to /v1/verify answers that ask for one
   * (KEYWARD_PRINCIPAL_SIGNING=1), the `iss` it names (KEYWARD_PRINCIPAL_ISSUER, default `keyward`),
   * and the age in days at which the worker replaces the signing key (KEYWARD_PRINCIPAL_KEY_MAX_AGE_DAYS,
   * default 30).
   */
  readonly principal: Readonly<{ signing: boolean; issuer: string; keyMaxAgeDays: number }>;
  /** Verify processes (VERIFY_WORKERS): 1 in development, one per CPU in production. */
  readonly verifyWorkers: number;
  /** Key records each verify process caches at most (VERIFY_CACHE_MAX_KEYS; least recently used go first). */
  readonly verifyCacheMaxKeys: number;
  /**
   * The safety TTL of verify's cached keys and verifier credentials (VERIFY_CACHE_TTL_MS, default
   * 60 s): how long an entry is used without asking PostgreSQL again, should an invalidation have
   * been missed. While PostgreSQL is unavailable, entries are used past it (docs/failure-modes.md).
   */
  readonly verifyCacheTtlMs: number;
  /**
   * How often the worker checks that its job schedules exist in Redis and puts back any that are
   * missing (JOB_SCHEDULE_CHECK_SECONDS, default 30): a Redis that lost its data keeps none.
   */
  readonly jobScheduleCheckSeconds: number;
  /** How often each scheduled job runs, in seconds (ROTATION_/EXPIRY_/UNUSED_AUDIT_/SIGNALS_JOB_INTERVAL_SECONDS). */
  readonly jobIntervals: Readonly<{ rotation: number; expiry: number; 'unused-audit': number; signals: number }>;
  /**
   * How long the worker's hourly housekeeping keeps what would otherwise grow without bound, and
   * how many rows one of its statements deletes (docs/operations.md, Retention). Idempotency
   * records keep their 24 h; the audit log is never deleted.
   */
  readonly retention: Readonly<{
    /** Usage buckets (key_usage), in days: USAGE_RETENTION_DAYS, default 400. */
    usageDays: number;
    /** Webhook deliveries, in days after they succeeded: WEBHOOK_SUCCEEDED_RETENTION_DAYS, default 30. */
    webhookSucceededDays: number;
    /** Webhook deliveries, in days after they were given up: WEBHOOK_FAILED_RETENTION_DAYS, default 90. */
    webhookFailedDays: number;
    /** Rows per delete statement: RETENTION_BATCH_SIZE, default 1000. */
    batchSize: number;
  }>;
}

/**
 * Where Redis is. A cluster is reached through any of its seed nodes (the client learns the rest
 * from the cluster itself), with one set of credentials for every node.
 */
export type RedisTarget =
  | { readonly mode: 'standalone'; readonly url: string }
  | {
      readonly mode: 'cluster';
      readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
      readonly username?: string;
      readonly password?: string;
      readonly tls: boolean;
    };

/** GitHub's document of the keys that sign secret scanning reports. */
export const GITHUB_KEYS_URL = 'https://api.github.com/meta/public_keys/secret_scanning';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Configuration error: ${variable} ${reason}`);
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string, fallback?: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    if (fallback === undefined) throw new ConfigError(name, 'is required');
    return fallback;
  }
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}`);
  }
  return Number(raw);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}`);
  return raw as T;
}

/** A switch: unset, '' or '0' is off, '1' is on; anything else is a mistake worth stopping for. */
function flag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  throw new ConfigError(name, 'must be 0 or 1');
}

/** `name=address,name=address`: a host name (any case; kept lower-case) to an IPv4 or IPv6 address. */
function hostMap(env: Env, name: string): ReadonlyMap<string, readonly string[]> {
  const hosts = new Map<string, string[]>();
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return hosts;
  for (const entry of raw.split(',')) {
    const match = /^\s*([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)=([0-9A-Fa-f:.]+)\s*$/.exec(entry);
    if (!match || isIP(match[2]) === 0)
      throw new ConfigError(name, 'must list entries name=address (an IPv4 or IPv6 address), separated by commas');
    const host = match[1].toLowerCase();
    hosts.set(host, [...(hosts.get(host) ?? []), match[2]]);
  }
  return hosts;
}

/** The `iss` of signed principals: printable ASCII without quotes or backslashes, so it goes into the JSON as is. */
function principalIssuer(env: Env): string {
  const issuer = text(env, 'KEYWARD_PRINCIPAL_ISSUER', 'keyward');
  if (!/^[!#-[\]-~]{1,200}$/.test(issuer))
    throw new ConfigError('KEYWARD_PRINCIPAL_ISSUER', 'must be 1 to 200 printable ASCII characters without spaces, quotes or backslashes');
  return issuer;
}

function url(env: Env, name: string, protocols: string[], fallback?: string): string {
  const value = text(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}`);
  }
  return value;
}

/** `host:port` (or `[ipv6]:port`; the port defaults to 6379), several separated by commas. */
function clusterNodes(name: string, list: string): ReadonlyArray<{ host: string; port: number }> {
  const nodes = list.split(',').map((entry) => {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/@[\]]+))(?::(\d{1,5}))?$/.exec(entry.trim());
    const port = Number(match?.[3] ?? 6379);
    if (!match || port < 1 || port > 65535) throw new ConfigError(name, 'must list cluster nodes as host:port, separated by commas');
    return Object.freeze({ host: match[1] ?? match[2], port });
  });
  return Object.freeze(nodes);
}

/** Credentials and TLS of a Redis URL (`rediss` means TLS); Redis Cluster serves database 0 only. */
function clusterAccess(name: string, scheme: string, userInfo: string | undefined, path: string | undefined) {
  if (path !== undefined && !['', '/', '/0'].includes(path))
    throw new ConfigError(name, 'may not select a database: a Redis Cluster has database 0 only');
  let username: string | undefined;
  let password: string | undefined;
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    try {
      username = decodeURIComponent(colon < 0 ? userInfo : userInfo.slice(0, colon)) || undefined;
      password = colon < 0 ? undefined : decodeURIComponent(userInfo.slice(colon + 1)) || undefined;
    } catch {
      throw new ConfigError(name, 'has malformed percent-encoding in its user or password');
    }
  }
  return { username, password, tls: scheme === 'rediss' };
}

/**
 * REDIS_URL names one server (`redis://`, `rediss://`) or a cluster by its seed nodes
 * (`redis+cluster://[user:password@]host:port,host:port`, `rediss+cluster://` for TLS). Or
 * REDIS_CLUSTER_NODES lists the seed nodes, and REDIS_URL, if set, lends them only its credentials
 * and TLS (its host is not used): for deployments that keep the password in one place.
 * Exported for tools that connect to the same Redis as the apps (the tests' clean-up).
 */
export function loadRedisTarget(env: Env): RedisTarget {
  const nodesList = env.REDIS_CLUSTER_NODES;
  const raw = env.REDIS_URL ?? '';
  const namesCluster = /^rediss?\+cluster:/.test(raw);
  if (nodesList) {
    if (namesCluster) throw new ConfigError('REDIS_CLUSTER_NODES', 'must not be set when REDIS_URL names a cluster');
    const nodes = clusterNodes('REDIS_CLUSTER_NODES', nodesList);
    if (!raw) return Object.freeze({ mode: 'cluster', nodes, tls: false });
    const parsed = new URL(url(env, 'REDIS_URL', ['redis:', 'rediss:']));
    const userInfo = parsed.username || parsed.password ? `${parsed.username}:${parsed.password}` : undefined;
    return Object.freeze({
      mode: 'cluster',
      nodes,
      ...clusterAccess('REDIS_URL', parsed.protocol.slice(0, -1), userInfo, parsed.pathname),
    });
  }
  if (namesCluster) {
    const parts = /^(rediss?)\+cluster:\/\/(?:([^@/?#]*)@)?([^/?#]+)(\/[^?#]*)?$/.exec(raw);
    if (!parts) throw new ConfigError('REDIS_URL', 'must name a cluster as redis+cluster://[user:password@]host:port,host:port');
    return Object.freeze({
      mode: 'cluster',
      nodes: clusterNodes('REDIS_URL', parts[3]),
      ...clusterAccess('REDIS_URL', parts[1], parts[2], parts[4]),
    });
  }
  if (raw && !/^rediss?:/.test(raw)) throw new ConfigError('REDIS_URL', 'must use redis:, rediss:, redis+cluster: or rediss+cluster:');
  return Object.freeze({ mode: 'standalone', url: url(env, 'REDIS_URL', ['redis:', 'rediss:']) });
}

function secretKey(env: Env, name: string, nodeEnv: NodeEnv, dataDir: string, fileName: string): Buffer {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (nodeEnv === 'production') {
      throw new ConfigError(name, 'is required when NODE_ENV=production (32 random bytes in base64)');
    }
    return loadOrCreateSecret(dataDir, fileName);
  }
  const decoded = Buffer.from(raw, 'base64');
  if (decoded.length !== 32 || decoded.toString('base64') !== raw.replace(/\s/g, '')) {
    throw new ConfigError(name, 'must be exactly 32 bytes in base64');
  }
  return decoded;
}

export function loadKeywardConfig(env: Env, facts: ProcessFacts = { stdoutIsTty: process.stdout.isTTY === true }): KeywardConfig {
  const rawNodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(rawNodeEnv)) {
    throw new ConfigError('NODE_ENV', 'must be development, production or test');
  }
  const nodeEnv = rawNodeEnv as NodeEnv;
  const dataDir = resolve(text(env, 'KEYWARD_DATA_DIR', '.data'));

  const keyPrefix = text(env, 'KEYWARD_KEY_PREFIX', 'kw');
  if (!/^[a-z0-9]{2,12}$/.test(keyPrefix)) {
    throw new ConfigError('KEYWARD_KEY_PREFIX', 'must be 2 to 12 characters of a-z and 0-9');
  }

  const givenToken = env.PLATFORM_ADMIN_TOKEN;
  if ((givenToken === undefined || givenToken === '') && nodeEnv === 'production') {
    throw new ConfigError('PLATFORM_ADMIN_TOKEN', 'is required when NODE_ENV=production');
  }
  if (givenToken !== undefined && givenToken !== '' && givenToken.length < 32) {
    throw new ConfigError('PLATFORM_ADMIN_TOKEN', 'must be at least 32 characters');
  }
  const platformAdminTokenGenerated = givenToken === undefined || givenToken === '';

  const redisKeyPrefix = text(env, 'REDIS_KEY_PREFIX', 'keyward:');
  // A brace in the prefix would become (part of) every key's hash tag: keys meant for one slot
  // would be split across slots, or all of them crowded into one.
  if (/[{}]/.test(redisKeyPrefix)) throw new ConfigError('REDIS_KEY_PREFIX', 'must not contain { or }');

  const shutdownGraceMs = integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000);
  const shutdownDrainMs = integer(env, 'SHUTDOWN_DRAIN_MS', nodeEnv === 'production' ? 5_000 : 0, 0, 600_000);
  // The grace period bounds the whole stop, drain included: a drain as long leaves in-flight work no time.
  if (shutdownDrainMs > 0 && shutdownDrainMs >= shutdownGraceMs) {
    throw new ConfigError('SHUTDOWN_DRAIN_MS', 'must be shorter than SHUTDOWN_GRACE_MS');
  }

  return Object.freeze({
    nodeEnv,
    dataDir,
    databaseUrl: env.DATABASE_APP_URL
      ? url(env, 'DATABASE_APP_URL', ['postgres:', 'postgresql:'])
      : url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redis: loadRedisTarget(env),
    redisKeyPrefix,
    host: text(env, 'HOST', '127.0.0.1'),
    adminPort: integer(env, 'ADMIN_PORT', 3000, 0, 65535),
    verifyPort: integer(env, 'VERIFY_PORT', 3001, 0, 65535),
    workerPort: integer(env, 'WORKER_PORT', 3002, 0, 65535),
    platformAdminToken: platformAdminTokenGenerated ? `kwp_${randomBytes(32).toString('base64url')}` : givenToken,
    platformAdminTokenGenerated,
    pepper: secretKey(env, 'KEYWARD_PEPPER', nodeEnv, dataDir, 'pepper'),
    encryptionKey: secretKey(env, 'KEYWARD_ENCRYPTION_KEY', nodeEnv, dataDir, 'encryption-key'),
    keyPrefix,
    adminRateLimitPerMinute: integer(env, 'ADMIN_RATE_LIMIT_PER_MINUTE', 1000, 1, 10_000_000),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, nodeEnv === 'production' ? 'info' : 'warn'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['pretty', 'json'] as const, nodeEnv !== 'production' && facts.stdoutIsTty ? 'pretty' : 'json'),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    shutdownGraceMs,
    shutdownDrainMs,
    webhookAllowHttp: flag(env, 'KEYWARD_WEBHOOK_ALLOW_HTTP'),
    webhookAllowPrivate: flag(env, 'KEYWARD_WEBHOOK_ALLOW_PRIVATE'),
    webhookLoopbackOnly: flag(env, 'KEYWARD_WEBHOOK_LOOPBACK_ONLY'),
    webhookHosts: hostMap(env, 'KEYWARD_WEBHOOK_HOSTS'),
    githubKeysUrl: url(env, 'KEYWARD_GITHUB_KEYS_URL', ['https:', 'http:'], GITHUB_KEYS_URL),
    verifyLimitsOnRedisDown: oneOf(env, 'VERIFY_LIMITS_ON_REDIS_DOWN', ['deny', 'allow'] as const, 'deny'),
    principal: Object.freeze({
      signing: flag(env, 'KEYWARD_PRINCIPAL_SIGNING'),
      issuer: principalIssuer(env),
      keyMaxAgeDays: integer(env, 'KEYWARD_PRINCIPAL_KEY_MAX_AGE_DAYS', 30, 1, 365),
    }),
    verifyWorkers: integer(env, 'VERIFY_WORKERS', nodeEnv === 'production' ? availableParallelism() : 1, 1, 256),
    verifyCacheMaxKeys: integer(env, 'VERIFY_CACHE_MAX_KEYS', 200_000, 1_000, 50_000_000),
    verifyCacheTtlMs: integer(env, 'VERIFY_CACHE_TTL_MS', 60_000, 100, 3_600_000),
    jobScheduleCheckSeconds: integer(env, 'JOB_SCHEDULE_CHECK_SECONDS', 30, 1, 3_600),
    jobIntervals: Object.freeze({
      rotation: integer(env, 'ROTATION_JOB_INTERVAL_SECONDS', 60, 1, 86_400),
      expiry: integer(env, 'EXPIRY_JOB_INTERVAL_SECONDS', 60, 1, 86_400),
      'unused-audit': integer(env, 'UNUSED_AUDIT_JOB_INTERVAL_SECONDS', 86_400, 1, 31 * 86_400),
      signals: integer(env, 'SIGNALS_JOB_INTERVAL_SECONDS', 60, 1, 3_600),
    }),
    retention: Object.freeze({
      usageDays: integer(env, 'USAGE_RETENTION_DAYS', 400, 31, 36_500),
      webhookSucceededDays: integer(env, 'WEBHOOK_SUCCEEDED_RETENTION_DAYS', 30, 1, 36_500),
      webhookFailedDays: integer(env, 'WEBHOOK_FAILED_RETENTION_DAYS', 90, 1, 36_500),
      batchSize: integer(env, 'RETENTION_BATCH_SIZE', 1000, 1, 10_000),
    }),
  });
}
