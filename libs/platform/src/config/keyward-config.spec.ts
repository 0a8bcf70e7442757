import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadKeywardConfig } from './keyward-config';

const PEPPER = randomBytes(32).toString('base64');
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const PLATFORM_TOKEN = `kwp_${randomBytes(24).toString('base64url')}`;
const SECRET_VALUES = [PEPPER, ENCRYPTION_KEY, PLATFORM_TOKEN];

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'keyward-config-spec-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function productionEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://keyward:db-password@db.internal:5432/keyward',
    REDIS_URL: 'redis://cache.internal:6379',
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_PEPPER: PEPPER,
    KEYWARD_ENCRYPTION_KEY: ENCRYPTION_KEY,
    PLATFORM_ADMIN_TOKEN: PLATFORM_TOKEN,
    ...overrides,
  };
}

function developmentEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return productionEnv({ NODE_ENV: 'development', KEYWARD_PEPPER: undefined, KEYWARD_ENCRYPTION_KEY: undefined, ...overrides });
}

/** The error loadKeywardConfig throws for `env`; fails the test when it throws nothing. */
function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadKeywardConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadKeywardConfig accepted the environment');
}

describe('loadKeywardConfig', () => {
  it('loads a complete production environment into a frozen object', () => {
    const config = loadKeywardConfig(productionEnv());

    expect(Object.isFrozen(config)).toBe(true);
    expect(config.nodeEnv).toBe('production');
    expect(config.pepper).toEqual(Buffer.from(PEPPER, 'base64'));
    expect(config.encryptionKey).toEqual(Buffer.from(ENCRYPTION_KEY, 'base64'));
    expect(config.platformAdminToken).toBe(PLATFORM_TOKEN);
    expect(config.platformAdminTokenGenerated).toBe(false);
    expect(config).toMatchObject({
      keyPrefix: 'kw',
      adminPort: 3000,
      verifyPort: 3001,
      workerPort: 3002,
      adminRateLimitPerMinute: 1000,
      bodyLimitBytes: 65536,
    });
  });

  it('caches 200,000 keys per verify process unless VERIFY_CACHE_MAX_KEYS says otherwise', () => {
    expect(loadKeywardConfig(productionEnv()).verifyCacheMaxKeys).toBe(200_000);
    expect(loadKeywardConfig(productionEnv({ VERIFY_CACHE_MAX_KEYS: '1000000' })).verifyCacheMaxKeys).toBe(1_000_000);
    expect(configErrorOf(productionEnv({ VERIFY_CACHE_MAX_KEYS: '10' })).variable).toBe('VERIFY_CACHE_MAX_KEYS');
  });

  it('signs no principals unless KEYWARD_PRINCIPAL_SIGNING=1; issuer keyward and 30-day keys unless told', () => {
    expect(loadKeywardConfig(productionEnv()).principal).toEqual({ signing: false, issuer: 'keyward', keyMaxAgeDays: 30 });
    const told = productionEnv({
      KEYWARD_PRINCIPAL_SIGNING: '1',
      KEYWARD_PRINCIPAL_ISSUER: 'https://keys.example.com/',
      KEYWARD_PRINCIPAL_KEY_MAX_AGE_DAYS: '7',
    });
    expect(loadKeywardConfig(told).principal).toEqual({ signing: true, issuer: 'https://keys.example.com/', keyMaxAgeDays: 7 });
    expect(configErrorOf(productionEnv({ KEYWARD_PRINCIPAL_SIGNING: 'yes' })).variable).toBe('KEYWARD_PRINCIPAL_SIGNING');
    for (const issuer of ['has space', 'quote"d', 'back\\slash', 'x'.repeat(201)])
      expect(configErrorOf(productionEnv({ KEYWARD_PRINCIPAL_ISSUER: issuer })).variable).toBe('KEYWARD_PRINCIPAL_ISSUER');
    expect(configErrorOf(productionEnv({ KEYWARD_PRINCIPAL_KEY_MAX_AGE_DAYS: '0' })).variable).toBe('KEYWARD_PRINCIPAL_KEY_MAX_AGE_DAYS');
  });

  describe('shutdown', () => {
    it('drains for 5 s in production and not at all elsewhere, unless told', () => {
      expect(loadKeywardConfig(productionEnv())).toMatchObject({ shutdownGraceMs: 10_000, shutdownDrainMs: 5_000 });
      expect(loadKeywardConfig(productionEnv({ NODE_ENV: 'test' })).shutdownDrainMs).toBe(0);
      expect(loadKeywardConfig(productionEnv({ SHUTDOWN_DRAIN_MS: '1500' })).shutdownDrainMs).toBe(1500);
    });

    it('refuses a drain that leaves the grace period no time, naming the variable', () => {
      expect(configErrorOf(productionEnv({ SHUTDOWN_DRAIN_MS: '10000' })).variable).toBe('SHUTDOWN_DRAIN_MS');
      expect(configErrorOf(productionEnv({ SHUTDOWN_GRACE_MS: '3000' })).variable).toBe('SHUTDOWN_DRAIN_MS');
      expect(loadKeywardConfig(productionEnv({ SHUTDOWN_GRACE_MS: '3000', SHUTDOWN_DRAIN_MS: '0' })).shutdownDrainMs).toBe(0);
    });
  });

  describe('logging', () => {
    const terminal = { stdoutIsTty: true };
    const pipe = { stdoutIsTty: false };

    it('logs from info in production and from warn elsewhere, unless LOG_LEVEL says otherwise', () => {
      expect(loadKeywardConfig(productionEnv()).logLevel).toBe('info');
      expect(loadKeywardConfig(developmentEnv()).logLevel).toBe('warn');
      expect(loadKeywardConfig(productionEnv({ NODE_ENV: 'test' })).logLevel).toBe('warn');
      expect(loadKeywardConfig(productionEnv({ LOG_LEVEL: 'debug' })).logLevel).toBe('debug');
      expect(loadKeywardConfig(developmentEnv({ LOG_LEVEL: 'silent' })).logLevel).toBe('silent');
    });

    it('writes pretty lines to a terminal and JSON lines in production or to anything else, unless LOG_FORMAT says otherwise', () => {
      expect(loadKeywardConfig(developmentEnv(), terminal).logFormat).toBe('pretty');
      expect(loadKeywardConfig(developmentEnv(), pipe).logFormat).toBe('json');
      expect(loadKeywardConfig(productionEnv(), terminal).logFormat).toBe('json');
      expect(loadKeywardConfig(productionEnv({ LOG_FORMAT: 'pretty' }), pipe).logFormat).toBe('pretty');
      expect(loadKeywardConfig(developmentEnv({ LOG_FORMAT: 'json' }), terminal).logFormat).toBe('json');
    });

    it.each([
      ['LOG_LEVEL', 'verbose'],
      ['LOG_LEVEL', 'INFO'],
      ['LOG_FORMAT', 'text'],
      ['LOG_FORMAT', 'JSON'],
    ])('refuses %s=%p, naming the variable and what it may be', (variable, value) => {
      const error = configErrorOf(productionEnv({ [variable]: value }));

      expect(error.variable).toBe(variable);
      expect(error.message).toContain(variable);
      expect(error.message).toMatch(variable === 'LOG_LEVEL' ? /fatal, error, warn, info, debug, trace, silent/ : /pretty, json/);
    });
  });

  describe('with NODE_ENV=production', () => {
    it.each(['KEYWARD_PEPPER', 'KEYWARD_ENCRYPTION_KEY', 'PLATFORM_ADMIN_TOKEN'])(
      'refuses to start without %s, naming it and printing no other secret',
      (variable) => {
        for (const missing of [undefined, '']) {
          const error = configErrorOf(productionEnv({ [variable]: missing }));

          expect(error.variable).toBe(variable);
          expect(error.message).toContain(variable);
          for (const secret of SECRET_VALUES) expect(error.message).not.toContain(secret);
          expect(error.message).not.toContain('db-password');
        }
      },
    );

    it('generates no secret files in place of the missing ones', () => {
      configErrorOf(productionEnv({ KEYWARD_PEPPER: undefined }));
      configErrorOf(productionEnv({ KEYWARD_ENCRYPTION_KEY: undefined }));

      expect(existsSync(join(dataDir, 'secrets'))).toBe(false);
    });
  });

  describe('malformed values', () => {
    const THIRTY_ONE_BYTES = randomBytes(31).toString('base64');
    const THIRTY_THREE_BYTES = randomBytes(33).toString('base64');

    it.each([
      ['KEYWARD_PEPPER', 'of 31 bytes', THIRTY_ONE_BYTES],
      ['KEYWARD_PEPPER', 'of 33 bytes', THIRTY_THREE_BYTES],
      ['KEYWARD_PEPPER', 'that is not base64', 'this is not base64 at all, not even close!!'],
      ['KEYWARD_ENCRYPTION_KEY', 'of 31 bytes', THIRTY_ONE_BYTES],
      ['KEYWARD_ENCRYPTION_KEY', 'in hex rather than base64', randomBytes(32).toString('hex')],
    ])('refuses a %s %s, naming it without echoing the value', (variable, _case, value) => {
      const error = configErrorOf(productionEnv({ [variable]: value }));

      expect(error.variable).toBe(variable);
      expect(error.message).toContain(variable);
      expect(error.message).not.toContain(value);
      for (const secret of SECRET_VALUES) expect(error.message).not.toContain(secret);
    });

    it('refuses a PLATFORM_ADMIN_TOKEN shorter than 32 characters, naming it without echoing it', () => {
      const short = 'short-platform-token-123';

      const error = configErrorOf(productionEnv({ PLATFORM_ADMIN_TOKEN: short }));

      expect(error.variable).toBe('PLATFORM_ADMIN_TOKEN');
      expect(error.message).not.toContain(short);
    });

    it.each([
      ['ADMIN_PORT', '70000'],
      ['ADMIN_PORT', 'http'],
      ['ADMIN_PORT', '-1'],
      ['ADMIN_PORT', '3000.5'],
      ['VERIFY_PORT', '65536'],
      ['WORKER_PORT', 'three'],
      ['ADMIN_RATE_LIMIT_PER_MINUTE', '0'],
      ['BODY_LIMIT_BYTES', '10'],
    ])('refuses %s=%p, naming the variable', (variable, value) => {
      const error = configErrorOf(productionEnv({ [variable]: value }));

      expect(error.variable).toBe(variable);
      expect(error.message).toContain(variable);
    });

    it.each([
      ['one character', 'k'],
      ['13 characters', 'abcdefghijklm'],
      ['upper case', 'KW'],
      ['an underscore', 'k_w'],
      ['a hyphen', 'kw-x'],
      ['a non-ASCII letter', 'kwé'],
    ])('refuses a KEYWARD_KEY_PREFIX of %s, naming the variable', (_case, prefix) => {
      const error = configErrorOf(productionEnv({ KEYWARD_KEY_PREFIX: prefix }));

      expect(error.variable).toBe('KEYWARD_KEY_PREFIX');
      expect(error.message).toContain('KEYWARD_KEY_PREFIX');
    });

    it.each([
      ['2 characters', 'ab'],
      ['12 characters', 'abcdef123456'],
      ['digits', '42'],
    ])('accepts a KEYWARD_KEY_PREFIX of %s', (_case, prefix) => {
      expect(loadKeywardConfig(productionEnv({ KEYWARD_KEY_PREFIX: prefix })).keyPrefix).toBe(prefix);
    });

    it.each([
      ['DATABASE_URL', 'not a url'],
      ['DATABASE_URL', 'mysql://db.internal/keyward'],
      ['REDIS_URL', 'http://cache.internal:6379'],
    ])('refuses %s=%p, naming the variable', (variable, value) => {
      const error = configErrorOf(productionEnv({ [variable]: value }));

      expect(error.variable).toBe(variable);
    });

    it('refuses an unknown NODE_ENV, naming it', () => {
      expect(configErrorOf(productionEnv({ NODE_ENV: 'staging' })).variable).toBe('NODE_ENV');
    });
  });

  describe('Redis', () => {
    it('takes a redis:// or rediss:// REDIS_URL as one server', () => {
      expect(loadKeywardConfig(productionEnv()).redis).toEqual({ mode: 'standalone', url: 'redis://cache.internal:6379' });
      expect(loadKeywardConfig(productionEnv({ REDIS_URL: 'rediss://:pw@cache.internal:6380/2' })).redis).toEqual({
        mode: 'standalone',
        url: 'rediss://:pw@cache.internal:6380/2',
      });
    });

    it.each([
      ['plain', 'redis+cluster://10.0.0.1:7000,10.0.0.2:7001,cache-3.internal:7002', { tls: false }],
      [
        'with TLS, credentials and a trailing slash',
        'rediss+cluster://keyward:s%40cret@10.0.0.1:7000,10.0.0.2:7001/',
        { tls: true, username: 'keyward', password: 's@cret' },
      ],
      ['with a password only and database 0', 'redis+cluster://:s3cret@10.0.0.1:7000,10.0.0.2:7001/0', { tls: false, password: 's3cret' }],
    ])('takes a redis+cluster:// REDIS_URL (%s) as the seed nodes of a cluster', (_case, url, access) => {
      const { redis } = loadKeywardConfig(productionEnv({ REDIS_URL: url }));

      expect(redis).toMatchObject({ mode: 'cluster', ...access });
      if (redis.mode !== 'cluster') throw new Error('not a cluster');
      expect(redis.nodes.slice(0, 2)).toEqual([
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ]);
      expect(Object.isFrozen(redis) && Object.isFrozen(redis.nodes)).toBe(true);
    });

    it('reads IPv6 nodes in brackets, and port 6379 where none is given', () => {
      expect(loadKeywardConfig(productionEnv({ REDIS_URL: 'redis+cluster://[::1]:7000,cache.internal' })).redis).toMatchObject({
        mode: 'cluster',
        nodes: [
          { host: '::1', port: 7000 },
          { host: 'cache.internal', port: 6379 },
        ],
      });
    });

    it('takes REDIS_CLUSTER_NODES as the seed nodes, with only the credentials and TLS of REDIS_URL', () => {
      const nodes = 'cache-1.internal:7000, cache-2.internal:7001';
      expect(
        loadKeywardConfig(productionEnv({ REDIS_CLUSTER_NODES: nodes, REDIS_URL: 'rediss://keyward:pw@ignored.internal:1' })).redis,
      ).toEqual({
        mode: 'cluster',
        nodes: [
          { host: 'cache-1.internal', port: 7000 },
          { host: 'cache-2.internal', port: 7001 },
        ],
        username: 'keyward',
        password: 'pw',
        tls: true,
      });
      expect(loadKeywardConfig(productionEnv({ REDIS_CLUSTER_NODES: nodes, REDIS_URL: undefined })).redis).toEqual({
        mode: 'cluster',
        nodes: [
          { host: 'cache-1.internal', port: 7000 },
          { host: 'cache-2.internal', port: 7001 },
        ],
        tls: false,
      });
    });

    it.each([
      ['REDIS_URL', 'a cluster URL without nodes', { REDIS_URL: 'redis+cluster://' }],
      ['REDIS_URL', 'a cluster URL with an empty node', { REDIS_URL: 'redis+cluster://10.0.0.1:7000,,10.0.0.2:7001' }],
      ['REDIS_URL', 'a cluster URL with a port out of range', { REDIS_URL: 'redis+cluster://10.0.0.1:70000' }],
      ['REDIS_URL', 'a cluster URL with a query', { REDIS_URL: 'redis+cluster://10.0.0.1:7000?tls=true' }],
      ['REDIS_URL', 'a cluster URL that selects a database', { REDIS_URL: 'redis+cluster://10.0.0.1:7000/3' }],
      ['REDIS_URL', 'a cluster URL with broken percent-encoding', { REDIS_URL: 'redis+cluster://user:50%zz@10.0.0.1:7000' }],
      ['REDIS_URL', 'another scheme', { REDIS_URL: 'memcached://10.0.0.1:11211' }],
      ['REDIS_URL', 'a missing value', { REDIS_URL: undefined }],
      [
        'REDIS_CLUSTER_NODES',
        'nodes next to a cluster URL',
        { REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_URL: 'redis+cluster://10.0.0.2:7000' },
      ],
      ['REDIS_CLUSTER_NODES', 'a node that is a URL', { REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000' }],
      ['REDIS_CLUSTER_NODES', 'a port that is not a number', { REDIS_CLUSTER_NODES: '10.0.0.1:port' }],
      [
        'REDIS_URL',
        'credentials that select a database for a cluster',
        { REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_URL: 'redis://:pw@x/1' },
      ],
      ['REDIS_KEY_PREFIX', 'a prefix with a brace', { REDIS_KEY_PREFIX: 'keyward{a}:' }],
    ])('refuses in %s %s, naming the variable without echoing a password', (variable, _case, env) => {
      const error = configErrorOf(productionEnv(env));

      expect(error.variable).toBe(variable);
      expect(error.message).toContain(variable);
      for (const secret of ['50%zz', 'pw@', ':pw']) expect(error.message).not.toContain(secret);
    });
  });

  describe('without secrets in development', () => {
    it('generates the pepper and encryption key once under <dataDir>/secrets', () => {
      const config = loadKeywardConfig(developmentEnv());

      expect(config.pepper).toHaveLength(32);
      expect(config.encryptionKey).toHaveLength(32);
      expect(config.pepper.equals(config.encryptionKey)).toBe(false);
      expect(Buffer.from(readFileSync(join(dataDir, 'secrets', 'pepper'), 'utf8').trim(), 'base64')).toEqual(config.pepper);
      expect(Buffer.from(readFileSync(join(dataDir, 'secrets', 'encryption-key'), 'utf8').trim(), 'base64')).toEqual(config.encryptionKey);
    });

    it('returns the same bytes on a second load', () => {
      const first = loadKeywardConfig(developmentEnv());
      const second = loadKeywardConfig(developmentEnv());

      expect(second.pepper.equals(first.pepper)).toBe(true);
      expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    });

    it('generates different secrets in another data folder', () => {
      const first = loadKeywardConfig(developmentEnv());
      const otherDir = mkdtempSync(join(tmpdir(), 'keyward-config-spec-'));
      try {
        const other = loadKeywardConfig(developmentEnv({ KEYWARD_DATA_DIR: otherDir }));

        expect(other.pepper.equals(first.pepper)).toBe(false);
        expect(other.encryptionKey.equals(first.encryptionKey)).toBe(false);
      } finally {
        rmSync(otherDir, { recursive: true, force: true });
      }
    });

    it('prefers given secrets over generated ones', () => {
      loadKeywardConfig(developmentEnv());

      const config = loadKeywardConfig(developmentEnv({ KEYWARD_PEPPER: PEPPER }));

      expect(config.pepper).toEqual(Buffer.from(PEPPER, 'base64'));
    });

    it('keeps the secret files readable by their owner only', () => {
      loadKeywardConfig(developmentEnv());

      expect(statSync(join(dataDir, 'secrets', 'pepper')).mode & 0o077).toBe(0);
      expect(statSync(join(dataDir, 'secrets')).mode & 0o077).toBe(0);
    });

    it('makes up a platform token when none is given, and says so', () => {
      const config = loadKeywardConfig(developmentEnv({ PLATFORM_ADMIN_TOKEN: undefined }));

      expect(config.platformAdminTokenGenerated).toBe(true);
      expect(config.platformAdminToken.length).toBeGreaterThanOrEqual(32);
      expect(loadKeywardConfig(developmentEnv({ PLATFORM_ADMIN_TOKEN: undefined })).platformAdminToken).not.toBe(config.platformAdminToken);
    });
  });
});
