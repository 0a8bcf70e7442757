// Which Redis errors mean "Redis cannot answer now" (503 with Retry-After, logged once per outage:
// docs/failure-modes.md), each produced by a real ioredis client against loopback sockets: a port
// nothing listens on, and a server that accepts and never answers.
import { failureOf } from '../../../../test/support/failure-of';
import Redis from 'ioredis';
import { createServer, type Socket } from 'node:net';
import { freePort } from '../../../../scripts/dev-services/free-port';
import { toProblem } from '../errors/to-problem';
import { ConnectionStateLog, errorSummary } from './connection-state-log';
import { isRedisUnavailableError } from './unavailable';

function expectUnavailable(error: Error): void {
  expect(isRedisUnavailableError(error)).toBe(true);
  const mapped = toProblem(error, 'req-1');
  expect({ status: mapped.problem.status, code: mapped.problem.code, retryAfter: mapped.retryAfterSeconds }).toEqual({
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    retryAfter: 5,
  });
}

describe('isRedisUnavailableError', () => {
  it('a command refused at once while nothing listens (no offline queue)', async () => {
    // disconnectTimeout: ioredis arms a timer of that length (2 s by default) on disconnect() and
    // clears it when the socket closes, which a refused socket has already done: the timer would
    // keep the jest worker alive past the end of the run.
    const redis = new Redis({
      port: await freePort(),
      enableOfflineQueue: false,
      retryStrategy: () => null,
      lazyConnect: true,
      disconnectTimeout: 0,
    });
    redis.on('error', () => undefined);
    await redis.connect().catch(() => undefined);
    expectUnavailable(await failureOf(() => redis.get('x')));
    redis.disconnect();
  });

  it('a command given up on after its retries, and a connection refused', async () => {
    const redis = new Redis({ port: await freePort(), maxRetriesPerRequest: 0, retryStrategy: () => 50, disconnectTimeout: 0 });
    const errors: Error[] = [];
    redis.on('error', (error: Error) => errors.push(error));
    expectUnavailable(await failureOf(() => redis.get('x')));
    redis.disconnect();
    expect(errors.length).toBeGreaterThan(0);
    expectUnavailable(errors[0]);
  });

  it('a command a frozen server does not answer in time', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', () => resolve()));
    const redis = new Redis({ port, commandTimeout: 100, enableReadyCheck: false, maxRetriesPerRequest: 0 });
    redis.on('error', () => undefined);
    try {
      expectUnavailable(await failureOf(() => redis.get('x')));
    } finally {
      redis.disconnect();
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });

  it('replies of a Redis that cannot serve now, but not a refused command', () => {
    for (const reply of [
      'LOADING Redis is loading the dataset in memory',
      'CLUSTERDOWN The cluster is down',
      "READONLY You can't write against a read only replica.",
    ]) {
      expect(isRedisUnavailableError(new Error(reply))).toBe(true);
    }
    for (const reply of [
      'ERR unknown command',
      'WRONGTYPE Operation against a key holding the wrong kind of value',
      'NOSCRIPT No matching script',
    ]) {
      expect(isRedisUnavailableError(new Error(reply))).toBe(false);
    }
    expect(isRedisUnavailableError('Connection is closed.')).toBe(false); // not an error at all
  });
});

describe('ConnectionStateLog', () => {
  it('writes one line when the connection is lost and one when it is back, however often it fails meanwhile', () => {
    const lines: Array<[string, unknown, string]> = [];
    const logger = {
      warn: (fields: unknown, message: string) => lines.push(['warn', fields, message]),
    };
    const state = new ConnectionStateLog(logger, 'Redis (tests)');
    state.recovered(); // up already: nothing to say
    for (let i = 0; i < 50; i++) state.failed(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    expect(state.isDown).toBe(true);
    state.recovered();
    state.recovered();
    state.failed(new Error('Connection is closed.'));
    expect(lines.map(([level, , message]) => `${level} ${message}`)).toEqual([
      'warn Redis (tests) unavailable: retrying without a line per attempt until it answers again',
      'warn Redis (tests) available again',
      'warn Redis (tests) unavailable: retrying without a line per attempt until it answers again',
    ]);
    expect(lines[0][1]).toEqual({ error: { message: 'connect ECONNREFUSED 127.0.0.1:1', code: 'ECONNREFUSED' } });
    expect(lines[1][1]).toEqual({ downForMs: expect.any(Number) });
  });

  it('summarises an error without its stack', () => {
    const summary = errorSummary(new Error('boom'));
    expect(summary).toEqual({ message: 'boom' });
    expect(errorSummary('plain')).toEqual({ message: 'plain' });
  });
});
