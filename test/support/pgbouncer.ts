// A real PgBouncer (Debian's `pgbouncer`) in transaction pooling mode in front of the run's
// PostgreSQL server, on a free loopback port, its ini and auth file in a temporary folder: for the
// suites that prove the services work unchanged behind it (issue 8). stop() ends it and removes the
// folder; so does the test process's exit, as a last resort.
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../scripts/dev-services/free-port';
// The same look-up jest.config.js uses to leave this suite out on a machine without pgbouncer.
import { requireOnMachine } from './machine-tools';

export interface StartPgBouncerOptions {
  /** The owner's direct URL (default: the suite's KEYWARD_TEST_OWNER_URL). */
  ownerUrl?: string;
  /** The app role's direct URL (default: the suite's KEYWARD_TEST_APP_URL). */
  appUrl?: string;
  /** Server connections per database and user (default 4): every client of that pair shares them. */
  poolSize?: number;
}

export interface RunningPgBouncer {
  /** The owner's URL, through the bouncer. */
  ownerUrl: string;
  /** The app role's URL, through the bouncer: what the services get as DATABASE_APP_URL. */
  appUrl: string;
  poolSize: number;
  pid: number;
  /** The rows of a SHOW command of PgBouncer's admin console, e.g. show('POOLS'). */
  show(what: string): Promise<Record<string, string | number | null>[]>;
  /** What PgBouncer logged so far (the last 64 KiB), for diagnostics. */
  output(): string;
  stop(): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;
/** Where Debian puts it; /usr/sbin is often not on a non-root PATH. */

const live = new Set<{ child: ChildProcess; dir: string }>();

export function findPgBouncer(): string {
  return requireOnMachine('pgbouncer', 'this suite runs PostgreSQL behind a real PgBouncer', 'pgbouncer');
}

/** PgBouncer refuses to run as root: as root it is started with `-u nobody`, owning its files. */
function unprivilegedUser(): { name: string; uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((each) => each.startsWith('nobody:'));
  if (!line) throw new Error('PgBouncer refuses to run as root, and this machine has no "nobody" user to run it as');
  const [, , uid, gid] = line.split(':');
  return { name: 'nobody', uid: Number(uid), gid: Number(gid) };
}

function credentialsOf(url: string): { user: string; password: string } {
  const parsed = new URL(url);
  return { user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
}

function throughBouncer(url: string, port: number, database?: string): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  if (database) parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The auth file's quoting: each field in double quotes, a double quote inside doubled. */
const quoted = (value: string) => `"${value.replace(/"/g, '""')}"`;

async function startOnce(binary: string, ownerUrl: string, appUrl: string, poolSize: number): Promise<RunningPgBouncer> {
  const server = new URL(ownerUrl);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'keyward-pgbouncer-'));
  const owner = credentialsOf(ownerUrl);
  const app = credentialsOf(appUrl);
  const authFile = join(dir, 'users.txt');
  const iniFile = join(dir, 'pgbouncer.ini');
  // Both roles' passwords are in the auth file because PgBouncer logs in to the server with them.
  writeFileSync(authFile, `${quoted(owner.user)} ${quoted(owner.password)}\n${quoted(app.user)} ${quoted(app.password)}\n`, {
    mode: 0o600,
  });
  writeFileSync(
    iniFile,
    [
      '[databases]',
      // Any database name the client asks for, on the run's server: the run's database and a suite's own.
      `* = host=${server.hostname.replace(/^\[|\]$/g, '')} port=${server.port || '5432'}`,
      '',
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      // Loopback only and gone with the run; the server still checks the passwords PgBouncer sends.
      'auth_type = trust',
      `auth_file = ${authFile}`,
      `admin_users = ${owner.user}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'min_pool_size = 0',
      'reserve_pool_size = 0',
      'max_client_conn = 1000',
      // A client waiting this long for a server connection gets an error, not a silent hang of the test.
      'query_wait_timeout = 20',
      // No ignore_startup_parameters: the services send only application_name, which PgBouncer
      // tracks itself; a service that sent another (statement_timeout...) must fail here, loudly.
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const user = unprivilegedUser();
  if (user) {
    for (const path of [dir, authFile, iniFile]) chownSync(path, user.uid, user.gid);
  }
  const child = spawn(binary, [...(user ? ['-u', user.name] : []), iniFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const entry = { child, dir };
  live.add(entry);
  let captured = '';
  const capture = (chunk: Buffer) => {
    captured = (captured + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', capture);
  child.stderr.on('data', capture);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      captured += `\nspawn error: ${error.message}\n`;
      resolve();
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      // SIGTERM: immediate shutdown (SIGINT would wait for every client to leave).
      if (running()) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
      live.delete(entry);
      rmSync(dir, { recursive: true, force: true });
    })());

  const bouncer: RunningPgBouncer = {
    ownerUrl: throughBouncer(ownerUrl, port),
    appUrl: throughBouncer(appUrl, port),
    poolSize,
    pid: child.pid ?? -1,
    output: () => captured,
    stop,
    async show(what) {
      if (!/^[A-Z_]+$/i.test(what)) throw new Error(`not a SHOW command: ${what}`);
      const adminConsole = new Client({ connectionString: throughBouncer(ownerUrl, port, 'pgbouncer') });
      await adminConsole.connect();
      try {
        return (await adminConsole.query(`SHOW ${what}`)).rows;
      } finally {
        await adminConsole.end();
      }
    },
  };

  // Ready once the app role gets an answer from the server through it.
  const deadline = Date.now() + 15_000;
  for (let last = 'no answer'; ;) {
    if (!running()) {
      await stop();
      const failure = new Error(`pgbouncer exited before it was ready:\n${captured}`);
      (failure as Error & { addressInUse?: boolean }).addressInUse = /Address already in use/i.test(captured);
      throw failure;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`pgbouncer on port ${port} did not answer within 15 s (last: ${last}):\n${captured}`);
    }
    const probe = new Client({ connectionString: bouncer.appUrl, connectionTimeoutMillis: 2_000 });
    try {
      await probe.connect();
      await probe.query('SELECT 1');
      await probe.end();
      return bouncer;
    } catch (error) {
      last = (error as Error).message;
      await probe.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Starts PgBouncer in transaction mode in front of the server of `ownerUrl`, for the owner and the
 * app role of the given URLs, and answers once the app role gets through it.
 */
export async function startPgBouncer(options: StartPgBouncerOptions = {}): Promise<RunningPgBouncer> {
  const binary = findPgBouncer();
  const ownerUrl = options.ownerUrl ?? process.env.KEYWARD_TEST_OWNER_URL;
  const appUrl = options.appUrl ?? process.env.KEYWARD_TEST_APP_URL;
  if (!ownerUrl || !appUrl) throw new Error('startPgBouncer: no owner or app URL (is the jest global setup in use?)');
  // freePort's port is free when picked, not reserved: another process may take it first. Retry then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binary, ownerUrl, appUrl, options.poolSize ?? 4);
    } catch (error) {
      if (!(error as { addressInUse?: boolean }).addressInUse || attempt >= 3) throw error;
    }
  }
}

// Last resort, when the test process ends without stop() having run: no PgBouncer outlives the run.
process.once('exit', () => {
  for (const { child, dir } of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
