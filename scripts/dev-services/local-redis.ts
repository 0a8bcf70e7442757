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

/** A Redis as findOrStartRedis gives it: the redis-server it started can be watched and restarted. */
export interface WatchedRedis extends LocalRedis {
  /** For a redis-server started here: called when it exits without stop() having been asked for. */
  onUnexpectedExit(listener: (how: string) => void): void;
  /** Starts the redis-server started here again, on its port and with its files (after an unexpected exit). */
  restart(): Promise<void>;
}

/** A Redis this module did not start: nothing of it to watch or restart. */
function notOurs(url: string, source: 'REDIS_URL' | 'local'): WatchedRedis {
  return { url, source, onUnexpectedExit: () => undefined, restart: async () => undefined, stop: async () => undefined };
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
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`redis-server exited (${child.signalCode ?? `code ${child.exitCode}`})`);
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('redis-server did not answer in time');
}

export async function findOrStartRedis(dataDir: string, redisUrlFromEnv?: string): Promise<WatchedRedis> {
  if (redisUrlFromEnv) return notOurs(redisUrlFromEnv, 'REDIS_URL');
  if (await answersPing(6379)) return notOurs('redis://127.0.0.1:6379', 'local');
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) throw new RedisUnavailableError();

  const port = await freePort(6380);
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const exitListeners: Array<(how: string) => void> = [];
  let stopped = false;
  let child: ChildProcess;
  const start = async (): Promise<void> => {
    // Its own process group, so a Ctrl-C reaches the launcher first and Redis stops after the apps.
    const started = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
      {
        stdio: 'ignore',
        detached: true,
      },
    );
    child = started;
    let answered = false;
    started.once('exit', (code, signal) => {
      if (answered && !stopped && child === started) {
        for (const listener of exitListeners) listener(signal ? `killed by ${signal}` : `exit code ${code}`);
      }
    });
    try {
      await waitForPing(port, started, 10_000);
    } catch (error) {
      started.kill('SIGKILL');
      throw error;
    }
    answered = true;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    source: 'started',
    onUnexpectedExit: (listener) => void exitListeners.push(listener),
    restart: async () => {
      // The port may stay taken for a moment after the old server's end: retried for a few seconds.
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          return await start();
        } catch (error) {
          if (stopped || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      }
    },
    stop: () =>
      new Promise((resolve) => {
        stopped = true;
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
