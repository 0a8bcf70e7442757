// PostgreSQL unavailable is 503 with Retry-After, never 500 (docs/failure-modes.md): the errors
// node-postgres, its pool and TypeORM really raise when the server refuses, stalls, times a
// statement out or has no connection to give, each produced here against a real server (the run's
// PostgreSQL, or a loopback socket that accepts and never answers).
import { failureOf } from '../../../../test/support/failure-of';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Client, Pool } from 'pg';
import { QueryFailedError } from 'typeorm';
import { freePort } from '../../../../scripts/dev-services/free-port';
import { toProblem } from '../errors/to-problem';
import { BoundedPgClient, QUERY_READ_TIMEOUT_MS } from './bounded-pg-client';
import { isDatabaseUnavailableError } from './unavailable';

const ownerUrl = () => process.env.KEYWARD_TEST_OWNER_URL!;

function expectUnavailable(error: Error): void {
  expect(isDatabaseUnavailableError(error)).toBe(true);
  const mapped = toProblem(error, 'req-1');
  expect({
    status: mapped.problem.status,
    code: mapped.problem.code,
    retryAfter: mapped.retryAfterSeconds,
    errorId: mapped.errorId,
  }).toEqual({
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    retryAfter: 5,
    errorId: undefined,
  });
  expect(mapped.problem.detail).not.toContain(error.message);
}

/** A TCP proxy to `port` that can be told to stall: it then keeps every connection open and passes nothing on. */
async function stallingProxy(port: number): Promise<{ port: number; stall(): void; close(): Promise<void> }> {
  let stalled = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = createConnection({ port, host: '127.0.0.1' });
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    inbound.on('data', (data: Buffer) => !stalled && outbound.write(data));
    outbound.on('data', (data: Buffer) => !stalled && inbound.write(data));
  });
  const own = await freePort();
  await new Promise<void>((resolve) => server.listen(own, '127.0.0.1', () => resolve()));
  return {
    port: own,
    stall: () => (stalled = true),
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('PostgreSQL unavailable: 503, never 500', () => {
  it('a connection refused (nothing listens)', async () => {
    const client = new Client({ host: '127.0.0.1', port: await freePort(), user: 'x', database: 'x' });
    expectUnavailable(await failureOf(() => client.connect()));
  });

  it('a server that accepts and never answers (connect time-out)', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', () => resolve()));
    try {
      const client = new Client({ host: '127.0.0.1', port, user: 'x', database: 'x', connectionTimeoutMillis: 200 });
      expectUnavailable(await failureOf(() => client.connect()));
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });

  it('a pool with no connection to give in time', async () => {
    const pool = new Pool({ connectionString: ownerUrl(), max: 1, connectionTimeoutMillis: 200 });
    const held = await pool.connect();
    try {
      expectUnavailable(await failureOf(() => pool.connect()));
    } finally {
      held.release();
      await pool.end();
    }
  });

  it('a statement cancelled by statement_timeout (57014), also wrapped by TypeORM', async () => {
    const client = new Client({ connectionString: ownerUrl() });
    await client.connect();
    try {
      await client.query(`SET statement_timeout = 50`);
      const error = await failureOf(() => client.query('SELECT pg_sleep(1)'));
      expect((error as Error & { code?: string }).code).toBe('57014');
      expectUnavailable(error);
      expectUnavailable(new QueryFailedError('SELECT pg_sleep(1)', [], error));
    } finally {
      await client.end();
    }
  });

  it('a session ended by the server (57P01, as at a shutdown)', async () => {
    const client = new Client({ connectionString: ownerUrl() });
    client.on('error', () => undefined);
    await client.connect();
    const killer = new Client({ connectionString: ownerUrl() });
    await killer.connect();
    try {
      const pending = failureOf(() => client.query('SELECT pg_sleep(5)'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await killer.query('SELECT pg_terminate_backend($1)', [(client as unknown as { processID: number }).processID]);
      expectUnavailable(await pending);
    } finally {
      await killer.end();
    }
  });

  it('but a statement PostgreSQL refused is still a 500 (a bug, not an outage)', async () => {
    const client = new Client({ connectionString: ownerUrl() });
    await client.connect();
    try {
      for (const statement of ['SELEC 1', 'SELECT 1/0', 'SELECT * FROM no_such_table']) {
        const error = await failureOf(() => client.query(statement));
        expect(isDatabaseUnavailableError(error)).toBe(false);
        expect(toProblem(new QueryFailedError(statement, [], error), 'req-1').problem.status).toBe(500);
      }
    } finally {
      await client.end();
    }
  });
});

describe('BoundedPgClient', () => {
  it('fails a query a stalled server does not answer after QUERY_READ_TIMEOUT_MS, closing the connection so nothing waits behind it', async () => {
    const proxy = await stallingProxy(Number(new URL(ownerUrl()).port));
    const url = new URL(ownerUrl());
    url.port = String(proxy.port);
    const client = new BoundedPgClient({ connectionString: url.toString() });
    client.on('error', () => undefined);
    await client.connect();
    try {
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      proxy.stall();
      const started = Date.now();
      const stalled = client.query('SELECT 2');
      const queuedBehind = client.query('SELECT 3');
      const error = await failureOf(() => stalled);
      const waited = Date.now() - started;
      expect(error.message).toBe('Query read timeout');
      expect(waited).toBeGreaterThanOrEqual(QUERY_READ_TIMEOUT_MS - 50);
      expect(waited).toBeLessThan(QUERY_READ_TIMEOUT_MS + 1_000);
      expectUnavailable(error);
      // The connection is closed: what was queued behind fails at once rather than waiting as long again.
      const behind = await failureOf(() => queuedBehind);
      expect(Date.now() - started).toBeLessThan(QUERY_READ_TIMEOUT_MS + 1_000);
      expectUnavailable(behind);
    } finally {
      await client.end().catch(() => undefined);
      await proxy.close();
    }
  }, 20_000);

  it('leaves a query that answers in time, and the callback form, as they are', async () => {
    const client = new BoundedPgClient({ connectionString: ownerUrl() });
    await client.connect();
    try {
      expect((await client.query({ text: 'SELECT $1::int AS n', values: [7] })).rows).toEqual([{ n: 7 }]);
      const viaCallback = await new Promise((resolve, reject) =>
        (
          client.query as unknown as (
            text: string,
            values: unknown[],
            callback: (error: Error | null, result: { rows: unknown[] }) => void,
          ) => void
        )('SELECT $1::text AS s', ['x'], (error, result) => (error ? reject(error) : resolve(result.rows))),
      );
      expect(viaCallback).toEqual([{ s: 'x' }]);
    } finally {
      await client.end();
    }
  });
});
