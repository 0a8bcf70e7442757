// What `npm run bench` and `npm run capacity` run on: a database of the run's own (on DATABASE_URL's
// server, else an embedded one), Redis, fresh secrets, and the apps from dist/ as child processes.
// close() removes all of it (processes, the database and its app role, the run's Redis keys, the
// servers it started), after a failure too.
import Redis from 'ioredis';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, escapeIdentifier } from 'pg';
import { provisionDatabase } from '../../libs/platform/src/database/provision';
import { keysUnder } from '../../libs/platform/src/redis/redis-connection';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/dev-services/embedded-postgres';
import { freePort } from '../../scripts/dev-services/free-port';
import { findOrStartRedis, type LocalRedis } from '../../scripts/dev-services/local-redis';

export type BenchAppName = 'admin-api' | 'verify';

export interface BenchApp {
  pid: number;
  url: string;
  child: ChildProcess;
}

export interface BenchEnvironmentOptions {
  /** Names the run's database (`keyward_<name>_<timestamp>`) and Redis prefix (`kw<name>:<timestamp>:`). */
  name: string;
  /**
   * 'private': a redis-server of this run's own on a free port (from PATH), so that server-wide
   * counters such as INFO commandstats count this run alone; falls back to 'shared' without one.
   * 'shared' (the default): REDIS_URL, else found as `npm start` finds it.
   */
  redis?: 'shared' | 'private';
  log?: (line: string) => void;
}

export interface BenchEnvironment {
  readonly dataDir: string;
  readonly database: string;
  /** The owner's connection to the run's database. */
  readonly ownerUrl: string;
  readonly redisUrl: string;
  /** Whether `redisUrl` is a server of this run alone (see BenchEnvironmentOptions.redis). */
  readonly redisIsPrivate: boolean;
  readonly platformToken: string;
  /** What every app gets: production, one verify process, the run's app role, Redis prefix and secrets. */
  readonly appEnv: NodeJS.ProcessEnv;
  /** Starts dist/apps/<app>/src/main.js on a free port and answers once its /readyz is 200. */
  startApp(app: BenchAppName, options?: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] }): Promise<BenchApp>;
  /** Has close() stop `child` as well (baseline servers). */
  track(child: ChildProcess): void;
  /** SIGTERM, then waits for the process to exit. */
  stop(child: ChildProcess): Promise<void>;
  close(): Promise<void>;
}

const PORT_VARIABLE: Record<BenchAppName, string> = { 'admin-api': 'ADMIN_PORT', verify: 'VERIFY_PORT' };

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** A redis-server of this run's own, without persistence, stopped by its own PID. */
async function startPrivateRedis(): Promise<LocalRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-bench-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 10_000; ;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // refused until the server listens: connect() rejects as well
    try {
      await probe.connect();
      await probe.ping();
      return { url, source: 'started', stop };
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error('the private redis-server did not start');
      }
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      probe.disconnect();
    }
  }
}

/** The run's own Redis keys (counters, balances, queues), deleted at the end. */
async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    for await (const keys of keysUnder(client, prefix)) await client.unlink(...keys);
  } finally {
    client.disconnect();
  }
}

export async function openBenchEnvironment(options: BenchEnvironmentOptions): Promise<BenchEnvironment> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(process.env.KEYWARD_DATA_DIR || '.data', options.name);
  mkdirSync(dataDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const database = `keyward_${options.name}_${stamp}`;
  const redisKeyPrefix = `kw${options.name}:${stamp}:`;
  const children: ChildProcess[] = [];
  let postgres: EmbeddedPostgres | null = null;
  let redis: LocalRedis | null = null;
  let ownerUrl = '';

  const close = async (): Promise<void> => {
    await Promise.all(children.map(stopChild));
    if (ownerUrl) {
      const server = new URL(ownerUrl);
      server.pathname = '/postgres';
      const client = new Client({ connectionString: server.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(database)} WITH (FORCE)`).catch(() => undefined);
      await client.query(`DROP ROLE IF EXISTS ${escapeIdentifier(`${database}_service`)}`).catch(() => undefined);
      await client.end();
    }
    if (redis) await dropRedisKeys(redis.url, redisKeyPrefix).catch(() => undefined);
    await redis?.stop();
    await postgres?.stop();
  };

  try {
    postgres = process.env.DATABASE_URL ? null : await startEmbeddedPostgres(dataDir, { database: 'postgres' });
    const server = new URL(process.env.DATABASE_URL || postgres!.url);
    server.pathname = `/${database}`;
    ownerUrl = server.toString();
    const { appUrl } = await provisionDatabase(ownerUrl);
    const privateRedis = options.redis === 'private' && spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
    if (options.redis === 'private' && !privateRedis)
      log('No redis-server on PATH: using the shared Redis, whose server-wide counters include other clients.');
    redis = privateRedis ? await startPrivateRedis() : await findOrStartRedis(dataDir, process.env.REDIS_URL);
    const platformToken = `kwp_${randomBytes(24).toString('base64url')}`;
    const appEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_APP_URL: appUrl,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redisKeyPrefix,
      PLATFORM_ADMIN_TOKEN: platformToken,
      KEYWARD_PEPPER: randomBytes(32).toString('base64'),
      KEYWARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      KEYWARD_DATA_DIR: dataDir,
      VERIFY_WORKERS: '1',
      ADMIN_RATE_LIMIT_PER_MINUTE: '1000000',
    };
    return {
      dataDir,
      database,
      ownerUrl,
      redisUrl: redis.url,
      redisIsPrivate: privateRedis,
      platformToken,
      appEnv,
      async startApp(app, { env = {}, nodeArgs = [] } = {}) {
        const port = await freePort();
        const child = spawn(process.execPath, [...nodeArgs, join(__dirname, '..', '..', 'apps', app, 'src', 'main.js')], {
          env: { ...appEnv, ...env, [PORT_VARIABLE[app]]: String(port) },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        children.push(child);
        const url = `http://127.0.0.1:${port}`;
        await waitReady(`${url}/readyz`, child);
        return { pid: child.pid!, url, child };
      },
      track: (child) => void children.push(child),
      stop: stopChild,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
