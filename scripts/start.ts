// `npm start`: the whole system on one machine. PostgreSQL (DATABASE_URL, else embedded under
// .data/), Redis (REDIS_URL, else local, else started here), migrations, then the admin API, the
// verify service and the worker as child processes. The PostgreSQL and the redis-server started
// here are watched: one that stops unexpectedly is started again (docs/local-setup.md).
//
// The launcher runs in two processes. The foreground one only relays signals. A supervisor in its
// own session owns every service: a Ctrl-C in the terminal therefore reaches no service directly,
// and the supervisor stops them in order (apps finish their requests, then Redis and PostgreSQL).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { extname, resolve, join } from 'node:path';
import { grantAppRole, provisionDatabase, runMigrations } from '../libs/platform/src/database/provision';
import {
  EmbeddedPostgresError,
  prepareEmbeddedPostgres,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from './dev-services/embedded-postgres';
import { installationRedisKeyPrefix } from './dev-services/installation-id';
import { findOrStartRedis, RedisUnavailableError, type WatchedRedis } from './dev-services/local-redis';

const SUPERVISOR_FLAG = '--supervisor';
const APPS = ['admin-api', 'verify', 'worker'] as const;
const STOP_TIMEOUT_MS = 20_000;
/** A service that keeps stopping is not restarted forever: past this many restarts in a minute, everything stops. */
const RESTARTS_PER_MINUTE = 3;

function say(line: string): void {
  process.stdout.write(`[keyward] ${line}\n`);
}

function runForeground(): void {
  // The node options pass on (a require hook that runs the sources, in tests), as to the apps.
  const supervisor = spawn(process.execPath, [...process.execArgv, __filename, SUPERVISOR_FLAG], { stdio: 'inherit', detached: true });
  const relay = (): void => {
    if (supervisor.exitCode === null) supervisor.kill('SIGTERM');
  };
  process.on('SIGINT', relay);
  process.on('SIGTERM', relay);
  process.on('SIGHUP', relay);
  supervisor.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} did not come up: its process exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} was not ready within ${timeoutMs / 1000} s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      done();
    });
    child.kill('SIGTERM');
  });
}

async function runSupervisor(): Promise<void> {
  const env = process.env;
  const dataDir = resolve(env.KEYWARD_DATA_DIR || '.data');
  const host = env.HOST || '127.0.0.1';
  const ports = { 'admin-api': env.ADMIN_PORT || '3000', verify: env.VERIFY_PORT || '3001', worker: env.WORKER_PORT || '3002' };
  const children: ChildProcess[] = [];
  let postgres: EmbeddedPostgres | null = null;
  let redis: WatchedRedis | null = null;
  let stopping = false;
  let stopped: Promise<number> | null = null;

  // Every caller waits for the one stop (a second caller that exited at once would leave Redis
  // and PostgreSQL running); the first caller's exit code stands.
  const stopAll = async (exitCode: number): Promise<never> => {
    stopping = true;
    stopped ??= (async () => {
      say('Stopping: apps first (in-flight requests finish), then Redis and PostgreSQL...');
      await Promise.all(children.map(stopChild));
      await redis?.stop().catch(() => undefined);
      await postgres?.stop().catch(() => undefined);
      say('Stopped.');
      return exitCode;
    })();
    process.exit(await stopped);
  };
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGINT', () => void stopAll(0));
  // The foreground launcher is gone (killed outright): nobody can stop us, so stop now.
  const launcher = process.ppid;
  setInterval(() => process.ppid !== launcher && void stopAll(1), 1000).unref();

  /** Restarts `service` whenever it stops on its own; if that fails (or keeps happening), stops everything. */
  const restartOnUnexpectedExit = (name: string, service: EmbeddedPostgres | WatchedRedis, where: string): void => {
    const recentRestarts: number[] = [];
    service.onUnexpectedExit((how) => {
      if (stopping) return;
      const now = Date.now();
      recentRestarts.push(now);
      while (recentRestarts[0] < now - 60_000) recentRestarts.shift();
      if (recentRestarts.length > RESTARTS_PER_MINUTE) {
        say(`${name} stopped unexpectedly (${how}), the ${recentRestarts.length}th time within a minute; stopping everything.`);
        void stopAll(1);
        return;
      }
      say(`${name} stopped unexpectedly (${how}); restarting it ${where}...`);
      service.restart().then(
        () => !stopping && say(`${name} is running again; the apps reconnect on their own.`),
        (error: Error) => {
          if (stopping) return;
          say(`${name} could not be restarted (${error.message}); stopping everything.`);
          void stopAll(1);
        },
      );
    });
  };

  try {
    if (env.DATABASE_URL) {
      say('PostgreSQL: DATABASE_URL');
    } else {
      const layout = prepareEmbeddedPostgres(dataDir);
      // Relocated: run as root in a checkout the postgres user cannot reach (docs/local-setup.md).
      const where = `${layout.databaseDir}${layout.relocated ? ` (the postgres user cannot reach ${dataDir})` : ''}`;
      say(`PostgreSQL: embedded, data in ${where}${layout.firstStart ? ' (first start: initialising it)' : ''}...`);
      postgres = await startEmbeddedPostgres(dataDir, { layout });
      restartOnUnexpectedExit('PostgreSQL', postgres, `on port ${postgres.port}`);
    }
    const ownerUrl = env.DATABASE_URL || postgres!.url;
    let appUrl = env.DATABASE_APP_URL;
    if (appUrl) {
      await runMigrations(ownerUrl);
      await grantAppRole(ownerUrl, appUrl);
    } else appUrl = (await provisionDatabase(ownerUrl)).appUrl;
    say('Migrations applied.');

    // A cluster named by REDIS_CLUSTER_NODES is the apps' to reach: nothing local to find or start.
    if (env.REDIS_CLUSTER_NODES) say('Redis: the cluster of REDIS_CLUSTER_NODES');
    else {
      redis = await findOrStartRedis(dataDir, env.REDIS_URL);
      say(
        `Redis: ${redis.source === 'started' ? `started redis-server (${redis.url})` : redis.source === 'local' ? redis.url : 'REDIS_URL'}`,
      );
      if (redis.source === 'started') restartOnUnexpectedExit('redis-server', redis, `on ${redis.url}`);
    }
    // An installation with embedded PostgreSQL keeps its Redis keys (queues, counters) under a
    // prefix of its own, so that two of them on one Redis never take each other's jobs, and a new
    // data folder starts with none of the old one's (docs/local-setup.md).
    const redisKeyPrefix = env.REDIS_KEY_PREFIX || (postgres ? installationRedisKeyPrefix(dataDir) : 'keyward:');
    const prefixOrigin = env.REDIS_KEY_PREFIX ? 'REDIS_KEY_PREFIX' : postgres ? "this installation's own" : 'the default';

    const platformToken = env.PLATFORM_ADMIN_TOKEN || `kwp_${randomBytes(32).toString('base64url')}`;
    const childEnv = {
      ...env,
      KEYWARD_DATA_DIR: dataDir,
      DATABASE_APP_URL: appUrl,
      ...(redis ? { REDIS_URL: redis.url } : {}),
      REDIS_KEY_PREFIX: redisKeyPrefix,
      PLATFORM_ADMIN_TOKEN: platformToken,
      HOST: host,
      ADMIN_PORT: ports['admin-api'],
      VERIFY_PORT: ports.verify,
      WORKER_PORT: ports.worker,
      // Local development: webhooks may target a receiver on this machine, over plain http (docs/configuration.md, What npm start sets).
      KEYWARD_WEBHOOK_ALLOW_PRIVATE: env.KEYWARD_WEBHOOK_ALLOW_PRIVATE ?? '1',
      KEYWARD_WEBHOOK_ALLOW_HTTP: env.KEYWARD_WEBHOOK_ALLOW_HTTP ?? (env.NODE_ENV === 'production' ? '0' : '1'),
    };
    for (const app of APPS) {
      const main = join(__dirname, '..', 'apps', app, 'src', `main${extname(__filename)}`);
      const child = spawn(process.execPath, [...process.execArgv, '--enable-source-maps', main], {
        env: childEnv,
        stdio: 'inherit',
      });
      child.on('exit', (code, signal) => {
        if (!stopping) {
          say(`${app} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything.`);
          void stopAll(1);
        }
      });
      children.push(child);
    }
    await Promise.all(APPS.map((app, i) => waitUntilReady(`http://${host}:${ports[app]}/readyz`, children[i])));

    const admin = `http://${host}:${ports['admin-api']}`;
    const verify = `http://${host}:${ports.verify}`;
    // The apps' default (config/keyward-config.ts): what follows the banner is warnings and errors only.
    const logLevel = env.LOG_LEVEL || (env.NODE_ENV === 'production' ? 'info' : 'warn');
    const logs: Record<string, string> = {
      silent: 'none',
      fatal: 'fatal errors only',
      error: 'errors only',
      info: 'warnings, errors and 4xx answers; LOG_LEVEL=debug adds every request',
      debug: 'every request',
      trace: 'every request',
    };
    say('Keyward is up.');
    process.stdout.write(
      [
        '',
        `  Admin API     ${admin}      docs ${admin}/docs      OpenAPI ${admin}/openapi.json`,
        `  Verify        ${verify}      docs ${verify}/docs      OpenAPI ${verify}/openapi.json`,
        `  Worker        http://${host}:${ports.worker}/healthz`,
        `  Redis keys    under ${redisKeyPrefix} (${prefixOrigin})`,
        `  Logs          LOG_LEVEL=${logLevel}: ${logs[logLevel] ?? 'warnings and errors; LOG_LEVEL=info adds 4xx answers, debug every request'}`,
        `  Platform operator token${env.PLATFORM_ADMIN_TOKEN ? ' (PLATFORM_ADMIN_TOKEN)' : ' (generated for this run)'}:`,
        `    ${env.PLATFORM_ADMIN_TOKEN ? '<as set in PLATFORM_ADMIN_TOKEN>' : platformToken}`,
        '',
        '  Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    const known = error instanceof RedisUnavailableError || error instanceof EmbeddedPostgresError;
    process.stderr.write(`[keyward] ${known ? error.message : `Start failed: ${(error as Error).message}`}\n`);
    await stopAll(1);
  }
}

if (process.argv.includes(SUPERVISOR_FLAG)) void runSupervisor();
else runForeground();
