// Starts a real service PROCESS from the TypeScript sources, without a build:
// `node -r test/support/ts-register.js apps/<app>/src/main.ts`, with the environment the in-process
// apps get (support/test-config.ts: the run's database, Redis prefix, platform token and secrets), on
// a free port, and waits for /readyz. Every process started here is tracked and stopped by its own
// PID (and its descendants' PIDs, for VERIFY_WORKERS), by stopSpawnedApps() in afterAll and, as a
// last resort, when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../scripts/dev-services/free-port';
import { testEnv } from './test-config';

export type SpawnableApp = 'admin-api' | 'verify' | 'worker';

export interface SpawnOptions {
  app: SpawnableApp;
  /** Variables over the test environment (e.g. VERIFY_WORKERS, SHUTDOWN_GRACE_MS). */
  env?: Record<string, string>;
  /** How long to wait for /readyz to answer 200 (default 45 s: five processes compiling at once on a loaded machine). */
  readyTimeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedApp {
  app: SpawnableApp;
  url: string;
  pid: number;
  /** What the process wrote to stdout and stderr so far (the last 256 KiB), for diagnostics. */
  output: () => string;
  /** Settles when the process has exited. */
  exited: Promise<ExitStatus>;
  /** Whether the process itself is still running. */
  running(): boolean;
  /**
   * Sends `signal` (default SIGTERM) to the process and waits for it to exit; past `timeoutMs`
   * (default 20 s) kills it and its descendants.
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitStatus>;
  /** SIGKILL to the process and to every descendant, each by its own PID. */
  kill(): void;
}

const ROOT = resolve(__dirname, '..', '..');
const REGISTER = join(__dirname, 'ts-register.js');
const PORT_VARIABLE: Record<SpawnableApp, string> = { 'admin-api': 'ADMIN_PORT', verify: 'VERIFY_PORT', worker: 'WORKER_PORT' };
const OUTPUT_LIMIT = 256 * 1024;

const live = new Set<SpawnedApp>();

/** PIDs of the processes under `pid` (children, grandchildren...), from /proc; [] where there is no /proc. */
export function descendantPids(pid: number): number[] {
  const parents = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so parse after the last ')'.
      const [, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const list = parents.get(Number(ppid)) ?? [];
      list.push(Number(entry));
      parents.set(Number(ppid), list);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Whether `pid` is a running process (an exited one waiting to be reaped, a zombie, is not). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** One line per process of the tree under `pid`: PID, state (R, S, D, Z...) and command line, for diagnostics. */
function processStates(pid: number): string {
  return [pid, ...descendantPids(pid)]
    .map((each) => {
      try {
        const stat = readFileSync(`/proc/${each}/stat`, 'utf8');
        const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
        return `${each} ${state} ${readFileSync(`/proc/${each}/cmdline`, 'utf8').split('\0').join(' ')}`;
      } catch {
        return `${each} gone`;
      }
    })
    .join('\n');
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    }
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      const text = await response.text();
      if (response.status === 200) return;
      last = `${response.status} ${text}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
  throw new Error(`not ready after ${timeoutMs} ms (last /readyz: ${last})\n${output()}`);
}

async function spawnOnce(options: SpawnOptions): Promise<SpawnedApp> {
  const { app } = options;
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `keyward-spawn-${app}-`));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    TMPDIR: tmpdir(),
    ...testEnv({ KEYWARD_DATA_DIR: dataDir, [PORT_VARIABLE[app]]: String(port), HOST: '127.0.0.1', ...options.env }),
  };
  const child = spawn(process.execPath, ['--enable-source-maps', '-r', REGISTER, join(ROOT, 'apps', app, 'src', 'main.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let captured = '';
  const capture = (chunk: Buffer): void => {
    captured += chunk.toString('utf8');
    if (captured.length > OUTPUT_LIMIT) captured = captured.slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', capture);
  child.stderr.on('data', capture);
  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    child.once('error', (error) => {
      captured += `\nspawn error: ${error.message}\n`;
      resolveExit({ code: null, signal: null });
    });
  });
  if (child.pid === undefined) throw new Error(`${app}: could not spawn node`);
  const pid = child.pid;
  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  const kill = (): void => {
    const descendants = descendantPids(pid);
    if (running()) signalQuietly(pid, 'SIGKILL');
    for (const descendant of descendants) signalQuietly(descendant, 'SIGKILL');
  };
  const spawned: SpawnedApp = {
    app,
    url: `http://127.0.0.1:${port}`,
    pid,
    output: () => captured,
    exited,
    running,
    kill,
    async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000) {
      // Known now: once the process is gone its children belong to another parent.
      const descendants = descendantPids(pid);
      const deadline = Date.now() + timeoutMs;
      if (running()) signalQuietly(pid, signal);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolveTimeout) => {
        timer = setTimeout(() => resolveTimeout('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') kill();
      while (descendants.some(isAlive) && Date.now() < deadline) await new Promise((resolveWait) => setTimeout(resolveWait, 20));
      for (const descendant of descendants.filter(isAlive)) signalQuietly(descendant, 'SIGKILL');
      return exited;
    },
  };
  live.add(spawned);
  void exited.then(() => {
    live.delete(spawned);
    rmSync(dataDir, { recursive: true, force: true });
  });

  try {
    await waitReady(spawned.url, child, spawned.output, options.readyTimeoutMs ?? 45_000);
  } catch (error) {
    const processes = processStates(pid);
    kill();
    await exited;
    const failure = new Error(
      `${app} process ${pid} on port ${port}: ${(error as Error).message}\n--- processes ---\n${processes}\n--- output ---\n${captured}`,
    );
    (failure as Error & { addressInUse?: boolean }).addressInUse = /EADDRINUSE/.test(captured);
    throw failure;
  }
  return spawned;
}

/** Starts `apps/<app>/src/main.ts` in a process of its own and answers once its /readyz is 200. */
export async function spawnApp(options: SpawnOptions): Promise<SpawnedApp> {
  // freePort's port is free when picked, not reserved: another process may take it first. Retry then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(options);
    } catch (error) {
      if (!(error as { addressInUse?: boolean }).addressInUse || attempt >= 3) throw error;
    }
  }
}

/** Stops every process spawned here that still runs: SIGTERM, then SIGKILL past `timeoutMs`. */
export async function stopSpawnedApps(timeoutMs = 10_000): Promise<void> {
  await Promise.all([...live].map((spawned) => spawned.stop('SIGTERM', timeoutMs)));
}

// Last resort, when the test process ends without afterAll having run: no process outlives the run.
process.once('exit', () => {
  for (const spawned of live) spawned.kill();
});
