// Servers of a fault suite's own, which it may stop, freeze (SIGSTOP), thaw and kill without
// touching the run's shared PostgreSQL and Redis: a redis-server without persistence, an embedded
// PostgreSQL cluster (provisioned like the run's database), and a TCP proxy that can cut one
// process off from a server while the others still reach it. Plus timed HTTP calls that give up
// instead of hanging, so that a hang is an observation (status 0) rather than a test time-out.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionDatabase } from '../../libs/platform/src/database/provision';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/dev-services/embedded-postgres';
import { freePort } from '../../scripts/dev-services/free-port';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `probe` until `done` holds for its value or `timeoutMs` passed; returns the last value. */
export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(everyMs);
  }
}

export interface TimedAnswer {
  /** 0 when no answer came within the deadline (or the connection failed). */
  status: number;
  headers: Headers;
  body: any;
  ms: number;
}

/** One HTTP call that gives up after `deadlineMs`. */
export async function callWithin(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; deadlineMs?: number } = {},
): Promise<TimedAnswer> {
  const started = Date.now();
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.deadlineMs ?? 10_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body, ms: Date.now() - started };
  } catch {
    return { status: 0, headers: new Headers(), body: undefined, ms: Date.now() - started };
  }
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** A redis-server of the calling suite's own, without persistence: a restart comes back empty. */
export class DedicatedRedis {
  private child: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'keyward-fault-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<DedicatedRedis> {
    const redis = new DedicatedRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts (again) on the same port, empty. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('redis-server is already running');
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      { stdio: 'ignore' },
    );
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('redis-server did not answer in time');
      await sleep(50);
    }
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) this redis-server: it then accepts connections and answers nothing. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.child?.kill(signal);
  }

  /** Runs one command on this server over a connection of its own (e.g. FLUSHALL), and returns the raw reply. */
  command(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ port: this.port, host: '127.0.0.1' });
      const payload = `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
      let reply = '';
      socket.setTimeout(5_000, () => {
        socket.destroy();
        reject(new Error(`redis ${args[0]} timed out`));
      });
      socket.once('error', reject);
      socket.once('connect', () => socket.write(payload));
      socket.on('data', (data) => {
        reply += data.toString();
        if (reply.endsWith('\r\n')) {
          socket.destroy();
          resolve(reply.trimEnd());
        }
      });
    });
  }

  /** Kills this redis-server (its own PID only), as a crash would. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL'); // also ends a frozen (SIGSTOPped) one
    });
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The PIDs of an embedded cluster: its postmaster (from postmaster.pid) and the postmaster's children. */
export function clusterPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // Fields after the command name (which may hold spaces) start with the state, then the parent's PID.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * An embedded PostgreSQL cluster of the calling suite's own, migrated and with an app role, that
 * it may stop, start again on the same port, freeze and thaw (every process of the cluster, by
 * their own PIDs).
 */
export class DedicatedPostgres {
  private server: EmbeddedPostgres | null;
  private frozen: number[] = [];

  private constructor(
    private readonly dir: string,
    server: EmbeddedPostgres,
    readonly port: number,
    /** The apps' connection (DATABASE_APP_URL). */
    readonly appUrl: string,
  ) {
    this.server = server;
  }

  static async start(): Promise<DedicatedPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-fault-pg-'));
    chmodSync(dir, 0o755); // the cluster may run as the 'postgres' system user
    const server = await startEmbeddedPostgres(dir, { database: 'keyward', port: await freePort() });
    const { appUrl } = await provisionDatabase(server.url);
    return new DedicatedPostgres(dir, server, Number(new URL(server.url).port), appUrl);
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** A clean stop (the postmaster ends every session, then exits). */
  async stop(): Promise<void> {
    this.thaw();
    const server = this.server;
    this.server = null;
    await server?.stop();
  }

  /**
   * Starts the same cluster again; true when it got its old port back (the apps know only that
   * one), false when another process took the port meanwhile (then it is stopped again).
   */
  async start(): Promise<boolean> {
    if (this.server) throw new Error('PostgreSQL is already running');
    const server = await startEmbeddedPostgres(this.dir, { database: 'keyward', port: this.port });
    if (Number(new URL(server.url).port) !== this.port) {
      await server.stop();
      return false;
    }
    this.server = server;
    return true;
  }

  /** Stops every process of the cluster (SIGSTOP): connections stay open and nothing answers. */
  freeze(): void {
    if (!this.server) throw new Error('PostgreSQL is not running');
    this.frozen = clusterPids(this.dir);
    this.frozen.forEach((pid) => signalQuietly(pid, 'SIGSTOP'));
  }

  thaw(): void {
    this.frozen.forEach((pid) => signalQuietly(pid, 'SIGCONT'));
    this.frozen = [];
  }

  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A TCP proxy on a free loopback port to `targetPort`: what connects through it can be cut off
 * from the target (every connection closed and new ones refused) while everything else still
 * reaches the target directly, as a network partition would.
 */
export class TcpProxy {
  private cutOff = false;

  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const sockets = new Set<Socket>();
    const state = { cutOff: () => false };
    const server = createServer((inbound) => {
      if (state.cutOff()) {
        inbound.destroy();
        return;
      }
      const outbound = createConnection({ port: targetPort, host: '127.0.0.1' });
      for (const socket of [inbound, outbound]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    const port = await freePort();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const proxy = new TcpProxy(server, sockets, port);
    state.cutOff = () => proxy.cutOff;
    return proxy;
  }

  /** Closes every connection through the proxy and refuses new ones until restore(). */
  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
