// A real nginx (Debian's `nginx`, with auth_request) on a free loopback port, running the files of
// docker/nginx/ that docs/gateways.md quotes: example.conf (or another http-block fragment written
// with the same three addresses, such as examples/nginx/service.conf) with this run's ports in place
// of its own, the two Keyward includes as they are, and a keyward-verifier.conf with the test's credential.
// Its configuration and logs live in a temporary folder; stop() ends it and removes the folder, and
// so does the test process's exit, as a last resort.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/dev-services/free-port';
import { createTenant, type TestTenant } from './builders';
import { nginxGateway, startRecordingService, type Gateway } from './gateways';
import { startAdminApi, startVerify, type RunningHttpApp } from './running-apps';
// The same look-up jest.config.js uses to leave this suite out on a machine without nginx.
import { requireOnMachine } from './machine-tools';

export const NGINX_FILES = join(__dirname, '../../docker/nginx');

/** The addresses example.conf is written with, each replaced by this run's. */
export const EXAMPLE_ADDRESSES = { verify: '127.0.0.1:3001', service: '127.0.0.1:9000', listen: '127.0.0.1:8080' };

export interface RunningNginx {
  url: string;
  /** What nginx logged so far, for diagnostics. */
  errorLog(): string;
  stop(): Promise<void>;
}

const live = new Set<{ child: ChildProcess; dir: string }>();
process.once('exit', () => {
  for (const { child, dir } of live) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

export function findNginx(): string {
  return requireOnMachine('nginx', 'this suite runs a real nginx with auth_request in front of a test service', 'nginx');
}

/** The fragment `site` with `addresses` in place of its own: each must occur exactly once, or the file changed under the test. */
export function exampleWith(addresses: typeof EXAMPLE_ADDRESSES, site = join(NGINX_FILES, 'example.conf')): string {
  let text = readFileSync(site, 'utf8');
  for (const name of Object.keys(EXAMPLE_ADDRESSES) as Array<keyof typeof EXAMPLE_ADDRESSES>) {
    const parts = text.split(EXAMPLE_ADDRESSES[name]);
    if (parts.length !== 2) throw new Error(`${site} must hold ${EXAMPLE_ADDRESSES[name]} (the ${name} address) exactly once`);
    text = parts.join(addresses[name]);
  }
  return text;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startNginx(options: {
  verifyPort: number;
  servicePort: number;
  verifierCredential: string;
  /** The http-block fragment to run (default docker/nginx/example.conf). */
  site?: string;
}): Promise<RunningNginx> {
  const binary = findNginx();
  const port = await freePort();
  const example = exampleWith(
    {
      verify: `127.0.0.1:${options.verifyPort}`,
      service: `127.0.0.1:${options.servicePort}`,
      listen: `127.0.0.1:${port}`,
    },
    options.site,
  );
  const dir = mkdtempSync(join(tmpdir(), 'keyward-nginx-'));
  for (const file of ['keyward-server.conf', 'keyward-location.conf']) copyFileSync(join(NGINX_FILES, file), join(dir, file));
  writeFileSync(join(dir, 'example.conf'), example);
  writeFileSync(join(dir, 'keyward-verifier.conf'), `proxy_set_header Keyward-Verifier "${options.verifierCredential}";\n`, {
    mode: 0o600,
  });
  const temp = join(dir, 'temp');
  mkdirSync(temp);
  const errorLog = join(dir, 'error.log');
  // One process in the foreground, as the user running the tests: no master, no workers to switch users.
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'master_process off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${errorLog} info;`,
      'events { worker_connections 256; }',
      'http {',
      '    access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `    ${kind}_temp_path ${join(temp, kind)};`),
      '    include example.conf;',
      '}',
      '',
    ].join('\n'),
  );
  let output = '';
  const child = spawn(binary, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLog], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const entry = { child, dir };
  live.add(entry);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const readLog = (): string => {
    try {
      return `${output}${readFileSync(errorLog, 'utf8')}`;
    } catch {
      return output;
    }
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGQUIT');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 3_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    live.delete(entry);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = readLog();
      await stop();
      throw new Error(`nginx did not start on 127.0.0.1:${port}:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `http://127.0.0.1:${port}`, errorLog: readLog, stop };
}

/** An nginx suite's services: the admin API and verify (this process), a recording service, nginx in front of it, a tenant. */
export interface NginxStack {
  admin: RunningHttpApp;
  verify: RunningHttpApp;
  service: Awaited<ReturnType<typeof startRecordingService>>;
  nginx: RunningNginx;
  tenant: TestTenant;
  gateway: Gateway;
  /** Stops everything; a verify service a test closed already is fine. */
  close(): Promise<void>;
}

/** Starts an NginxStack: verify with `verifyEnv`, nginx running `site` (default docker/nginx/example.conf). */
export async function startNginxStack(options: { verifyEnv?: Record<string, string>; site?: string } = {}): Promise<NginxStack> {
  const [admin, verify, service] = await Promise.all([startAdminApi(), startVerify({ env: options.verifyEnv }), startRecordingService()]);
  const tenant = await createTenant(admin.url);
  const nginx = await startNginx({
    verifyPort: Number(new URL(verify.url).port),
    servicePort: service.port,
    verifierCredential: tenant.verifier,
    site: options.site,
  });
  return {
    admin,
    verify,
    service,
    nginx,
    tenant,
    gateway: nginxGateway(nginx.url, service),
    async close() {
      await nginx.stop();
      await Promise.all([admin.close(), verify.close().catch(() => undefined), service.close()]);
    },
  };
}
