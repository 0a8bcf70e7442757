// Runs the launcher of `npm start` (scripts/start.ts) as a real process tree, from the TypeScript
// sources under the require hook (support/ts-register.js, which it passes on to its supervisor and
// apps), with a data folder and ports of the test's own and without DATABASE_URL: PostgreSQL is
// embedded, as on a first `npm start`. Every process of the tree is tracked and, at the end,
// checked gone (or killed, by its own PID, as a last resort).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../../scripts/dev-services/free-port';
import { descendantPids, isAlive } from './spawn-app';
import { TEST_PLATFORM_TOKEN } from './test-config';

const ROOT = resolve(__dirname, '..', '..');
const REGISTER = join(__dirname, 'ts-register.js');

export interface RunningLauncher {
  adminUrl: string;
  verifyUrl: string;
  workerUrl: string;
  /** What the launcher tree printed so far (stdout and stderr). */
  output(): string;
  /** Waits until the output matches `pattern` (from `from` on), or fails with the output. */
  waitForOutput(pattern: RegExp, timeoutMs: number, from?: number): Promise<RegExpMatchArray>;
  /** The PID of the embedded PostgreSQL server (its postmaster), found in the launcher's process tree. */
  postgresPid(): number | undefined;
  /** Ctrl-C's SIGINT to the launcher; resolves with how it exited and the PIDs of its tree that outlived it. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; leftovers: string[] }>;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Every process of every launcher tree seen, with its command line (a PID taken over by another process since is left alone). */
const seen = new Map<number, string>();
function killQuietly(pid: number): void {
  if (seen.get(pid) !== commandLine(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}
process.once('exit', () => [...seen.keys()].forEach(killQuietly));

export async function startLauncher(dataDir: string, env: Record<string, string> = {}): Promise<RunningLauncher> {
  const ports = { admin: await freePort(), verify: await freePort(), worker: await freePort() };
  const child = spawn(process.execPath, ['-r', REGISTER, join(ROOT, 'scripts', 'start.ts')], {
    cwd: ROOT,
    // Nothing of the test run's own environment (its DATABASE_URL above all): a first `npm start`.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/',
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      KEYWARD_DATA_DIR: dataDir,
      REDIS_URL: process.env.KEYWARD_TEST_REDIS_URL ?? '',
      PLATFORM_ADMIN_TOKEN: TEST_PLATFORM_TOKEN,
      // As every app of the tests: a webhook delivery may reach loopback addresses only.
      KEYWARD_WEBHOOK_LOOPBACK_ONLY: '1',
      ADMIN_PORT: String(ports.admin),
      VERIFY_PORT: String(ports.verify),
      WORKER_PORT: String(ports.worker),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  // Every process of this tree ever seen: one that left the tree (its parent gone) is still this launcher's.
  const mine = new Set<number>();
  const tree = (): number[] => {
    const pids = [child.pid!, ...descendantPids(child.pid!)];
    for (const pid of pids) {
      if (!seen.has(pid)) seen.set(pid, commandLine(pid));
      mine.add(pid);
    }
    return pids;
  };
  const stillMine = (pid: number): boolean => isAlive(pid) && seen.get(pid) === commandLine(pid);

  const waitForOutput = async (pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      tree();
      const match = output.slice(from).match(pattern);
      if (match) return match;
      if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `the launcher did not print ${pattern} within ${timeoutMs} ms${child.exitCode !== null ? ` (it exited: ${child.exitCode})` : ''}:\n${output}`,
        );
      }
      await new Promise((wait) => setTimeout(wait, 100));
    }
  };

  const stop = async (timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; leftovers: string[] }> => {
    tree();
    const pids = [...mine];
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const status = await exited;
    clearTimeout(timer);
    // The tree's last processes may still be on their way out for a moment.
    for (const deadline = Date.now() + 5_000; pids.some(stillMine) && Date.now() < deadline;)
      await new Promise((wait) => setTimeout(wait, 100));
    const leftovers = pids.filter(stillMine).map((pid) => `${pid} ${commandLine(pid)}`);
    pids.filter(stillMine).forEach(killQuietly);
    return { ...status, leftovers };
  };

  try {
    await waitForOutput(/Keyward is up\./, 150_000);
  } catch (error) {
    await stop(20_000);
    throw error;
  }
  return {
    adminUrl: `http://127.0.0.1:${ports.admin}`,
    verifyUrl: `http://127.0.0.1:${ports.verify}`,
    workerUrl: `http://127.0.0.1:${ports.worker}`,
    output: () => output,
    waitForOutput,
    postgresPid: () => tree().find((pid) => /\/bin\/postgres -D /.test(commandLine(pid))),
    stop,
  };
}
