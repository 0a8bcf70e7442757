// A real Redis Cluster for tests: three masters started from the redis-server binary on free
// loopback ports, joined by `redis-cli --cluster create`, and stopped (their files removed) by
// stop() or, as a last resort, when the test process exits. Each process is stopped by its own PID.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/dev-services/free-port';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Redis Cluster talks between nodes on each node's port plus 10000. */
const BUS_PORT_OFFSET = 10_000;

export interface RedisClusterUnderTest {
  /** `redis+cluster://127.0.0.1:<port>,...`: what REDIS_URL takes. */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

export class RedisClusterUnavailableError extends Error {
  constructor(missing: string) {
    super(
      `${missing} was not found on PATH: the Redis Cluster tests start a real cluster from the redis-server and redis-cli ` +
        'binaries. Install them (Debian/Ubuntu: apt-get install redis-server, which brings redis-cli; macOS: brew install redis).',
    );
  }
}

/** Throws RedisClusterUnavailableError naming the binary a cluster needs and this machine lacks. */
function requireClusterBinaries(): void {
  for (const binary of ['redis-server', 'redis-cli']) {
    if (spawnSync(binary, ['--version'], { stdio: 'ignore' }).status !== 0) throw new RedisClusterUnavailableError(binary);
  }
}

/** A free port whose cluster bus port is free too (ports are free when picked, not reserved). */
async function freeNodePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port + BUS_PORT_OFFSET <= 65_535 && (await freePort(port + BUS_PORT_OFFSET)) === port + BUS_PORT_OFFSET) return port;
  }
  throw new Error('no free port pair (port, port + 10000) for a Redis Cluster node');
}

async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5_000 });
  return stdout;
}

/** Polls `check` until it holds, or fails after `timeoutMs` with `describe()`'s account. */
async function until(check: () => Promise<boolean>, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(describe());
}

interface ClusterNode {
  port: number;
  child: ChildProcess;
  output(): string;
}

async function startNode(dir: string): Promise<ClusterNode> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeNodePort();
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let captured = '';
    const capture = (chunk: Buffer) => (captured = (captured + chunk.toString('utf8')).slice(-16_384));
    child.stdout.on('data', capture);
    child.stderr.on('data', capture);
    for (const deadline = Date.now() + 10_000; child.exitCode === null && Date.now() < deadline; await sleep(100)) {
      if (
        await redisCli(port, 'ping').then(
          (answer) => answer.trim() === 'PONG',
          () => false,
        )
      )
        return { port, child, output: () => captured };
    }
    child.kill('SIGKILL');
    // Another process took the port between the pick and the bind: pick again.
    if (/Address already in use/i.test(captured) && attempt < 3) continue;
    throw new Error(`redis-server on ${port} did not answer PING within 10 s:\n${captured}`);
  }
}

function stopNode(node: ClusterNode): Promise<void> {
  return new Promise((resolve) => {
    if (node.child.exitCode !== null || node.child.signalCode !== null) return resolve();
    const timer = setTimeout(() => node.child.kill('SIGKILL'), 5_000);
    node.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    node.child.kill('SIGTERM');
  });
}

/** Starts `masters` cluster nodes, creates the cluster (no replicas) and waits until every node says cluster_state:ok. */
export async function startRedisCluster(masters = 3): Promise<RedisClusterUnderTest> {
  requireClusterBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'keyward-redis-cluster-'));
  const nodes: ClusterNode[] = [];
  const killAll = () => {
    for (const node of nodes) if (node.child.exitCode === null) node.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  // Last resort, when the test process ends without stop() having run: no node outlives the run.
  process.once('exit', killAll);
  const stop = async () => {
    process.removeListener('exit', killAll);
    await Promise.all(nodes.map(stopNode));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) nodes.push(await startNode(dir));
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    let last = '';
    for (const node of nodes) {
      await until(
        async () => (last = await redisCli(node.port, 'cluster', 'info')).includes('cluster_state:ok'),
        20_000,
        () => `node ${node.port} did not reach cluster_state:ok:\n${last}\n${node.output()}`,
      );
    }
    return { url: `redis+cluster://${addresses.join(',')}`, ports: nodes.map((node) => node.port), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
