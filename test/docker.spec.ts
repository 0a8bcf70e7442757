// What can be checked of docker/ without a Docker engine (issue 8): the compose file parses and
// wires the services the issue names, every variable it gives the apps is one their configuration
// reads, the image runs non-root with production dependencies and a health check, and the entry
// the image starts is the one the tests start (test/support/spawn-app.ts), from its sources.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { loadKeywardConfig, type KeywardConfig } from '../libs/platform/src/config/keyward-config';
import { spawnApp, type SpawnableApp } from './support/spawn-app';

jest.mock('node:child_process', () => ({ ...jest.requireActual('node:child_process'), spawn: jest.fn() }));

const ROOT = resolve(__dirname, '..');
const APPS: SpawnableApp[] = ['admin-api', 'verify', 'worker'];
/** Variables the image itself reads (its CMD and health check), not the apps' configuration. */
const IMAGE_VARIABLES = ['APP'];
/** What docker/.env must hold (the compose file's `${NAME:?...}`), with values of the right shape. */
const DOT_ENV: Record<string, string> = {
  PLATFORM_ADMIN_TOKEN: `kwp_${'t'.repeat(43)}`,
  KEYWARD_PEPPER: Buffer.alloc(32, 1).toString('base64'),
  KEYWARD_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64'),
};

interface ComposeService {
  image?: string;
  command?: string[];
  restart?: string;
  stop_grace_period?: string;
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | number>;
  ports?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
}

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name: string;
  instructions: Instruction[];
}

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Compose's interpolation of `${NAME}`, `${NAME:-default}`, `${NAME:?error}` and `$$`, from `values`. */
function interpolate(value: string, values: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}/g,
    (match, name: string | undefined, operator: string | undefined, operand: string) => {
      if (match === '$$') return '$';
      const given = values[name!];
      const missing = operator?.startsWith(':') ? !given : given === undefined;
      if (!missing) return given;
      if (operator?.endsWith('?')) throw new Error(`compose needs ${name}: ${operand}`);
      return operator?.endsWith('-') ? operand : '';
    },
  );
}

/** The Dockerfile's stages and their instructions (continuation lines joined, comments dropped). */
function dockerfileStages(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const stages: Stage[] = [];
  for (const line of lines) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    const instruction = { keyword: match[1].toUpperCase(), args: match[2].trim() };
    if (instruction.keyword === 'FROM')
      stages.push({ name: /\sAS\s+(\S+)/i.exec(instruction.args)?.[1] ?? String(stages.length), instructions: [] });
    stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

function lastArgs(stage: Stage, keyword: string): string | undefined {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1)?.args;
}

/** An exec-form instruction's words; a `sh -c '...'` is unwrapped to the command it runs (after `exec`). */
function commandWords(args: string): string[] {
  const words = JSON.parse(args) as string[];
  const command = words[0] === 'sh' && words[1] === '-c' ? words[2].split(/\s+/) : words;
  return command[0] === 'exec' ? command.slice(1) : command;
}

/** COPY instructions as { from, sources, destination }. */
function copies(stage: Stage): { from: string | null; sources: string[]; destination: string }[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY')
    .map((instruction) => {
      const words = instruction.args.split(/\s+/);
      const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length) ?? null;
      const paths = words.filter((word) => !word.startsWith('--'));
      return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
    });
}

/** compilerOptions of a tsconfig, following `extends`. */
function compilerOptions(path: string): { outDir: string; rootDir: string; include: string[] } {
  const config = JSON.parse(read(path)) as { extends?: string; include?: string[]; compilerOptions?: Record<string, string> };
  const base = config.extends ? compilerOptions(posix.join(posix.dirname(path), config.extends)) : { outDir: '', rootDir: '', include: [] };
  return {
    outDir: config.compilerOptions?.outDir ?? base.outDir,
    rootDir: config.compilerOptions?.rootDir ?? base.rootDir,
    include: config.include ?? base.include,
  };
}

/** The source file that `npm run build` (tsconfig.build.json) compiles to `distFile`, relative to the root. */
function sourceOf(distFile: string): string {
  const { outDir, rootDir, include } = compilerOptions('tsconfig.build.json');
  const withinOut = relative(resolve(ROOT, outDir), resolve(ROOT, distFile));
  expect(withinOut.startsWith('..')).toBe(false);
  const source = relative(ROOT, resolve(ROOT, rootDir, withinOut)).replace(/\.js$/, '.ts');
  expect(include).toContain(source.split('/')[0]);
  return source;
}

function milliseconds(duration: string): number {
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  expect(parts.map((part) => part[0]).join('')).toBe(duration);
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * units[unit], 0);
}

// Compose reads YAML 1.2 with merge keys (`<<: *anchor`), which js-yaml leaves out unless asked.
const compose = load(read('docker/compose.yaml'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const stages = dockerfileStages(read('docker/Dockerfile'));
const runtime = stages.at(-1)!;
/** The final stage's ENV, as `NAME=value` pairs (one instruction may set several). */
const imageEnv = Object.fromEntries(
  runtime.instructions
    .filter((instruction) => instruction.keyword === 'ENV')
    .flatMap((instruction) => [...instruction.args.matchAll(/([A-Z0-9_]+)=(\S+)/g)].map(([, name, value]) => [name, value])),
);
const appServices = Object.entries(services).filter(([, service]) => service.environment?.APP !== undefined);

/** A service's environment as its container sees it: the image's ENV, then compose's, interpolated. */
function containerEnv(service: ComposeService): Record<string, string> {
  const fromCompose = Object.entries(service.environment ?? {}).map(([name, value]) => [name, interpolate(String(value), DOT_ENV)]);
  return { ...imageEnv, ...Object.fromEntries(fromCompose) };
}

/** The configuration an app loads from `env`, and the variables it read while doing so. */
function loadRecording(env: Record<string, string>): { config: KeywardConfig; read: Set<string> } {
  const readNames = new Set<string>();
  const recording = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') readNames.add(name);
      return target[name as string];
    },
  });
  return { config: loadKeywardConfig(recording), read: readNames };
}

describe('docker/compose.yaml', () => {
  it('runs PostgreSQL, Redis, a one-shot migrate, the admin API, two verify replicas and a worker', () => {
    expect(services.postgres.image).toMatch(/^postgres:/);
    expect(services.redis.image).toMatch(/^redis:/);
    expect(services.migrate.restart).toBe('no');
    const byApp = (app: string) => appServices.filter(([, service]) => service.environment!.APP === app).map(([name]) => name);
    expect(byApp('admin-api')).toHaveLength(1);
    expect(byApp('verify')).toHaveLength(2);
    expect(byApp('worker')).toHaveLength(1);
    expect(appServices).toHaveLength(4);
  });

  it('starts the apps only after the migrations completed, and migrates only once PostgreSQL is healthy', () => {
    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.postgres.healthcheck?.test).toBeDefined();
    expect(services.redis.healthcheck?.test).toBeDefined();
    for (const [, service] of appServices) {
      expect(service.depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
    }
  });

  it('migrates with the script `npm run migrate` runs, as the owner, granting the role the apps log in as', () => {
    const migrateScript = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.migrate;
    // `npm run build && node dist/scripts/migrate.js`: the image is built already, so the last step.
    expect(services.migrate.command!.join(' ')).toBe(migrateScript.split('&&').at(-1)!.trim());
    const env = containerEnv(services.migrate);
    expect(new URL(env.DATABASE_URL).username).toBe('postgres');
    // The apps' login role is the one docker/postgres-init/ creates, with the password compose gives them.
    const appUrl = new URL(env.DATABASE_APP_URL);
    for (const [, service] of appServices) expect(containerEnv(service).DATABASE_APP_URL).toBe(env.DATABASE_APP_URL);
    const initSql = readdirSync(join(ROOT, 'docker/postgres-init'))
      .map((file) => read(`docker/postgres-init/${file}`))
      .join('\n');
    const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(initSql).toMatch(
      new RegExp(`CREATE ROLE ${escaped(appUrl.username)} LOGIN [^;]*PASSWORD '${escaped(decodeURIComponent(appUrl.password))}'`),
    );
  });

  it('gives migrate only variables scripts/migrate.ts reads', () => {
    const migrateSource = read('scripts/migrate.ts');
    const readByMigrate = new Set([...migrateSource.matchAll(/process\.env\.([A-Z0-9_]+)/g)].map((match) => match[1]));
    for (const name of Object.keys(services.migrate.environment ?? {}))
      expect({ name, read: readByMigrate.has(name) }).toEqual({ name, read: true });
  });

  it.each(appServices.map(([name]) => name))('%s: loads its configuration, and every variable it is given is one the apps read', (name) => {
    const env = containerEnv(services[name]);
    const { read: readNames } = loadRecording(env);
    const unread = Object.keys(env).filter((variable) => !readNames.has(variable) && !IMAGE_VARIABLES.includes(variable));
    expect(unread).toEqual([]);
    expect(APPS).toContain(env.APP);
  });

  it.each(appServices.map(([name]) => name))('%s: publishes the port its app listens on', (name) => {
    const env = containerEnv(services[name]);
    const { config } = loadRecording(env);
    const port = { 'admin-api': config.adminPort, verify: config.verifyPort, worker: config.workerPort }[env.APP as SpawnableApp];
    const published = services[name].ports ?? [];
    expect(published.length).toBeGreaterThan(0);
    for (const mapping of published) expect(Number(mapping.split(':').at(-1))).toBe(port);
  });

  it('publishes the two verify replicas on distinct host ports', () => {
    const hostPorts = appServices
      .filter(([, service]) => service.environment!.APP === 'verify')
      .map(([, service]) => service.ports![0].split(':').at(-2));
    expect(new Set(hostPorts).size).toBe(2);
  });

  it.each(appServices.map(([name]) => name))('%s: is given longer to stop than it takes to drain and finish in-flight work', (name) => {
    const env = containerEnv(services[name]);
    const { config } = loadRecording(env);
    // Replicas behind a load balancer must drain, whatever the default is.
    if (env.APP === 'verify') expect(Number(env.SHUTDOWN_DRAIN_MS)).toBeGreaterThan(0);
    // "Comfortably": five seconds to spare past the drain and the grace period.
    expect(milliseconds(services[name].stop_grace_period ?? '10s')).toBeGreaterThanOrEqual(
      config.shutdownDrainMs + config.shutdownGraceMs + 5_000,
    );
  });

  it.each(appServices.map(([name]) => name))('%s: reports healthy only when ready (/readyz)', (name) => {
    const test = services[name].healthcheck?.test ?? [];
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', 'docker/healthcheck.js']);
    expect(test[3]).toBe('/readyz');
  });
});

describe('docker/Dockerfile', () => {
  it('builds in several stages and runs as a non-root user', () => {
    expect(stages.length).toBeGreaterThan(1);
    expect(lastArgs(runtime, 'USER')).toBeDefined();
    expect(['root', '0']).not.toContain(lastArgs(runtime, 'USER')!.split(':')[0]);
  });

  it('installs production dependencies only', () => {
    const nodeModules = copies(runtime).filter((copy) => copy.sources.some((source) => /(^|\/)node_modules\/?$/.test(source)));
    expect(nodeModules).toHaveLength(1);
    const from = stages.find((stage) => stage.name === nodeModules[0].from)!;
    const installs = from.instructions.filter(
      (instruction) => instruction.keyword === 'RUN' && /\bnpm (ci|install)\b/.test(instruction.args),
    );
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install.args).toMatch(/--omit=dev\b/);
    expect(runtime.instructions.filter((instruction) => instruction.keyword === 'RUN' && /\bnpm\b/.test(instruction.args))).toEqual([]);
  });

  it('has a HEALTHCHECK whose script is in the image and whose config module the build produces', () => {
    const healthcheck = lastArgs(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/\bCMD\s+\[/);
    const words = commandWords(healthcheck!.slice(healthcheck!.indexOf('[')));
    expect(words.slice(0, 2)).toEqual(['node', 'docker/healthcheck.js']);
    expect(
      copies(runtime).some(
        (copy) => copy.from === null && copy.sources.includes('docker/healthcheck.js') && copy.destination === './docker/healthcheck.js',
      ),
    ).toBe(true);
    // It requires the apps' configuration from dist/, next to it in the image as in the repository.
    const required = /require\('([^']+)'\)/.exec(read('docker/healthcheck.js'))![1];
    const distFile = `${posix.join('docker', required)}.js`;
    expect(existsSync(join(ROOT, sourceOf(distFile)))).toBe(true);
  });

  it('starts each app from a file `npm run build` produces, the one the tests start from its sources', async () => {
    const cmd = commandWords(lastArgs(runtime, 'CMD')!);
    expect(cmd[0]).toBe('node');
    const nodeFlags = cmd.filter((word) => word.startsWith('-'));
    const script = cmd.find((word) => word.endsWith('.js'))!;
    expect(script).toContain('${APP}');
    // dist/ is copied from the build stage to WORKDIR/dist, so CMD's relative path is the build's.
    expect(lastArgs(runtime, 'WORKDIR')).toBe('/app');
    expect(
      copies(runtime).some((copy) => copy.from === 'build' && copy.sources.includes('/app/dist') && copy.destination === './dist'),
    ).toBe(true);

    const spawnMock = spawn as unknown as jest.Mock;
    for (const app of APPS) {
      const source = sourceOf(script.replace('${APP}', app));
      expect(existsSync(join(ROOT, source))).toBe(true);

      // spawn-app starts a process: record its command line, then let it "exit" at once.
      spawnMock.mockReset().mockImplementation(() => {
        const child = Object.assign(new EventEmitter(), {
          pid: 2 ** 22 + 1,
          exitCode: 1,
          signalCode: null,
          stdout: new EventEmitter(),
          stderr: new EventEmitter(),
        });
        setImmediate(() => child.emit('exit', 1, null));
        return child;
      });
      await expect(spawnApp({ app, readyTimeoutMs: 1_000 })).rejects.toThrow(/exited/);
      const [command, args] = spawnMock.mock.calls[0] as [string, string[]];
      expect(command).toBe(process.execPath);
      // The same entry module, with the same node flags; the tests add only the TypeScript hook.
      const register = args[args.indexOf('-r') + 1];
      expect(dirname(register)).toBe(join(ROOT, 'test', 'support'));
      expect(args.filter((arg) => arg !== '-r' && arg !== register)).toEqual([...nodeFlags, join(ROOT, source)]);
    }
  });

  it('gives the apps only variables their configuration reads, besides APP which the image reads', () => {
    const { read: readNames } = loadRecording({
      ...imageEnv,
      ...DOT_ENV,
      DATABASE_URL: 'postgres://localhost/x',
      REDIS_URL: 'redis://localhost',
    });
    expect(Object.keys(imageEnv).filter((name) => !readNames.has(name) && !IMAGE_VARIABLES.includes(name))).toEqual([]);
    expect(lastArgs(runtime, 'CMD')).toContain('${APP}');
    expect(read('docker/healthcheck.js')).toContain('process.env.APP');
  });
});
