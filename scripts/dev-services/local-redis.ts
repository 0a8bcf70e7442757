// Redis for `npm start` and the tests, in the order DEVELOPERS' brief asks: REDIS_URL, else a Redis
// already answering on 127.0.0.1:6379, else a redis-server from PATH started here, else a message
// that says how to get one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface LocalRedis {
  url: string;
  /** How it was found, for the start banner. */
  source: 'REDIS_URL' | 'local' | 'started';
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  constructor() {
    super(
      'No Redis found: REDIS_URL is unset, nothing answers on 127.0.0.1:6379 and there is no redis-server on PATH.\n' +
        'Install one (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL=redis://host:6379.',
    );
  }
}

function answersPing(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function waitForPing(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('redis-server did not answer in time');
}

export async function findOrStartRedis(dataDir: string, redisUrlFromEnv?: string): Promise<LocalRedis> {
  if (redisUrlFromEnv) return { url: redisUrlFromEnv, source: 'REDIS_URL', stop: async () => undefined };
  if (await answersPing(6379)) return { url: 'redis://127.0.0.1:6379', source: 'local', stop: async () => undefined };
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) throw new RedisUnavailableError();

  const port = await freePort(6380);
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  // Its own process group, so a Ctrl-C reaches the launcher first and Redis stops after the apps.
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], {
    stdio: 'ignore',
    detached: true,
  });
  await waitForPing(port, child, 10_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    source: 'started',
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
