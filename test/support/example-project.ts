// Running the SDK outside this repository's sources: a child process's environment without what npm
// put there, a wait for its port, and a temporary copy of an example of examples/ whose
// node_modules holds @keyward/sdk built from packages/sdk into it and this repository's installed
// packages linked, so that the example builds and runs as it would with its own install, without
// the registry and without touching packages/sdk/dist.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/dev-services/free-port';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');

/** This process's environment without what npm put there for the repository's own run. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^npm_|^NODE_PATH$|^INIT_CWD$/i.test(name)) env[name] = value;
  return { ...env, ...extra };
}

/** Waits until `url` answers anything, or fails with the child's output once it exits or 30 s pass. */
export async function waitListening(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}:\n${output()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
  }
  throw new Error(`not listening after 30 s:\n${output()}`);
}

/** Runs `node <script>` in `cwd` with `env` and a free PORT, kept in `children` (to be killed); its URL once it listens. */
export async function startNodeApp(script: string, cwd: string, env: Record<string, string>, children: ChildProcess[]): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    cwd,
    env: cleanEnv({ ...env, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitListening(url, child, () => output);
  return url;
}

export interface ExampleProject {
  dir: string;
  /** Runs `node <script>` in the project with `env` and a free PORT; answers its URL once it listens. */
  start(script: string, env: Record<string, string>): Promise<string>;
  /** Stops what start() ran and removes the folder. */
  remove(): void;
}

/**
 * A copy of `examples/<name>` in a temporary folder, with @keyward/sdk built into its
 * node_modules (tsup, as `npm run sdk:build` builds it) and each of `packages` linked from this
 * repository's node_modules.
 */
export async function exampleProject(name: string, packages: string[]): Promise<ExampleProject> {
  const dir = mkdtempSync(join(tmpdir(), `keyward-example-${name}-`));
  const children: ChildProcess[] = [];
  const remove = (): void => {
    for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    cpSync(join(ROOT, 'examples', name), dir, {
      recursive: true,
      filter: (source) => !/[\\/](node_modules|dist)$/.test(source),
    });
    const sdk = join(dir, 'node_modules', '@keyward', 'sdk');
    mkdirSync(sdk, { recursive: true });
    copyFileSync(join(ROOT, 'packages', 'sdk', 'package.json'), join(sdk, 'package.json'));
    await run(process.execPath, [join(ROOT, 'node_modules', 'tsup', 'dist', 'cli-default.js'), '--out-dir', join(sdk, 'dist')], {
      cwd: join(ROOT, 'packages', 'sdk'),
      env: cleanEnv(),
    });
    // The SDK's own dependencies, then the example's: each resolved from the repository's install.
    for (const linked of ['undici', 'openapi-fetch', ...packages]) {
      const target = join(dir, 'node_modules', linked);
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', linked), target, 'dir');
    }
  } catch (error) {
    remove();
    throw error;
  }
  return {
    dir,
    remove,
    start: (script, env) => startNodeApp(join(dir, script), dir, env, children),
  };
}
