// PostgreSQL behind a real PgBouncer in transaction pooling mode (issue 8): the admin API, two
// verify processes and the worker run as processes of their own (support/spawn-app.ts) whose only
// database URL is the bouncer's (DATABASE_APP_URL), and all of them share its 4 server connections,
// so consecutive transactions of one service land on server sessions that other tenants'
// transactions used just before. Every answer must be what it is on direct connections: tenant
// isolation under interleaved load, limits and credits exact (and written back), changes in force
// within a second, idempotent create, the audit chain and its export (COPY), job runs, including a
// worker killed in the middle of one and two workers on one schedule (the shared scenarios of
// support/scale-scenarios.ts). Migrations through the bouncer are refused.
// The suite has a database of its own (its app role's server sessions are counted) and Redis
// prefixes of its own (no other suite's worker takes its job runs).
import { SCHEDULED_JOBS } from '@keyward/jobs';
import { Client } from 'pg';
import { runMigrations } from '../../libs/platform/src/database/provision';
import { createTenant, type TestTenant } from '../support/builders';
import { sql, useOwnDatabase } from '../support/database';
import { client, type TestResponse } from '../support/http-client';
import { onDemandJobsEnv, runJob } from '../support/jobs';
import { createKey } from '../support/key-builders';
import { startPgBouncer, type RunningPgBouncer } from '../support/pgbouncer';
import { startAdminApi, type RunningHttpApp } from '../support/running-apps';
import {
  changesReachEveryProcessWithinASecond,
  creditsAreExactAcrossProcesses,
  killedRotationRunFinishesOnce,
  limitIsExactAcrossProcesses,
  twoWorkersRunEachPeriodOnce,
  verifyOn,
  withOutputOf,
  type VerifyFleet,
} from '../support/scale-scenarios';
import { spawnApp, stopSpawnedApps, type SpawnedApp } from '../support/spawn-app';
import { TEST_PLATFORM_TOKEN } from '../support/test-config';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `text` as the app role through the bouncer, on a connection of its own. */
async function throughBouncer<T = any>(bouncer: RunningPgBouncer, text: string): Promise<T[]> {
  const connection = new Client({ connectionString: bouncer.appUrl });
  await connection.connect();
  try {
    return (await connection.query(text)).rows as T[];
  } finally {
    await connection.end();
  }
}

describe('behind PgBouncer in transaction pooling mode', () => {
  let dropOwnDatabase: () => Promise<void>;
  let bouncer: RunningPgBouncer;
  let admin: SpawnedApp;
  let verifyA: SpawnedApp;
  let verifyB: SpawnedApp;
  let worker: SpawnedApp;
  /** The killed-run scenario's admin API: its run-now must reach only that scenario's workers. */
  let killAdmin: RunningHttpApp;
  let killEnv: Record<string, string>;
  let appRole: string;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    dropOwnDatabase = await useOwnDatabase();
    appRole = decodeURIComponent(new URL(process.env.KEYWARD_TEST_APP_URL!).username);
    bouncer = await startPgBouncer();
    // Runs come from the tests only; one prefix for all four, so that the admin API's run-now and
    // invalidations reach the worker and both verify processes.
    const env = { ...onDemandJobsEnv('pgbouncer'), DATABASE_APP_URL: bouncer.appUrl };
    killEnv = { ...onDemandJobsEnv('pgbouncer-kill'), DATABASE_APP_URL: bouncer.appUrl };
    // Each is kept as soon as it runs, and all are waited for, so that afterAll stops whatever started.
    const started = await Promise.allSettled([
      spawnApp({ app: 'admin-api', env }).then((app) => (admin = app)),
      spawnApp({ app: 'verify', env }).then((app) => (verifyA = app)),
      spawnApp({ app: 'verify', env }).then((app) => (verifyB = app)),
      spawnApp({ app: 'worker', env }).then((app) => (worker = app)),
      startAdminApi({ env: killEnv }).then((app) => (killAdmin = app)),
    ]);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    [a, b] = await Promise.all([createTenant(admin.url), createTenant(admin.url)]);
  }, 120_000);

  afterAll(async () => {
    await stopSpawnedApps();
    await killAdmin?.close();
    await bouncer?.stop();
    await dropOwnDatabase?.();
  }, 60_000);

  /** Fails with what the services and the bouncer logged, which is what one needs when this suite fails. */
  const withDiagnostics = (work: () => Promise<void>) =>
    withOutputOf([admin, verifyA, verifyB, worker], async () => {
      try {
        await work();
      } catch (error) {
        (error as Error).message += `\n--- pgbouncer ---\n${bouncer.output().slice(-3_000)}`;
        throw error;
      }
    });

  const fleet = (): VerifyFleet => ({ adminUrl: admin.url, verifiers: [verifyA, verifyB] });

  /** The app role's server sessions on the suite's database: all of them are the bouncer's. */
  const serverSessions = async () =>
    sql<{ pid: number }>('owner', 'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND usename = $1', [appRole]).then(
      (rows) => rows.map((row) => row.pid),
    );

  it("keeps each tenant's data its own under interleaved load on 4 shared server sessions, and a query with no tenant set sees nothing", () =>
    withDiagnostics(async () => {
      const keysOf = new Map<TestTenant, { id: string; key: string; name: string }[]>();
      for (const tenant of [a, b]) {
        const keys = [];
        for (let i = 0; i < 5; i++) keys.push(await createKey(admin.url, tenant.admin, { name: `iso-${tenant.id}-${i}` }));
        keysOf.set(tenant, keys);
      }
      const other = (tenant: TestTenant) => (tenant === a ? b : a);
      /** What must never appear in an answer to `tenant`: the other tenant's id, keys, key ids and key names. */
      const foreign = (tenant: TestTenant) => [
        other(tenant).id,
        ...keysOf.get(other(tenant))!.flatMap((key) => [key.id, key.key, key.name]),
      ];

      // While the burst runs, the database never sees more of the app role's sessions than the pool holds.
      const sessionCounts: number[] = [];
      const servedPids = new Set<number>();
      let bursting = true;
      const sampler = (async () => {
        while (bursting) {
          const pids = await serverSessions();
          sessionCounts.push(pids.length);
          for (const pid of pids) servedPids.add(pid);
          await sleep(20);
        }
      })();

      // 320 requests at once, the two tenants alternating, across the admin API and verify.
      // `sent`: what the request itself carried of the other tenant's (an id asked for, a key verified).
      type Check = { tenant: TestTenant; what: string; sent: string[]; answer: TestResponse; expected: (answer: TestResponse) => boolean };
      const requests: Promise<Check>[] = [];
      for (let i = 0; i < 40; i++) {
        for (const tenant of [a, b]) {
          const own = keysOf.get(tenant)![i % 5];
          const theirs = keysOf.get(other(tenant))![i % 5];
          const api = client(admin.url, tenant.admin);
          const ownIds = keysOf
            .get(tenant)!
            .map((key) => key.id)
            .sort();
          const check = (what: string, call: Promise<TestResponse>, expected: Check['expected'], sent: string[] = []) =>
            call.then((answer) => ({ tenant, what, sent, answer, expected }));
          requests.push(
            check(
              'list keys',
              api.get('/v1/keys?limit=100'),
              (answer) =>
                answer.status === 200 && JSON.stringify(answer.body.data.map((key: any) => key.id).sort()) === JSON.stringify(ownIds),
            ),
            check("get the other tenant's key", api.get(`/v1/keys/${theirs.id}`), (answer) => answer.status === 404, [theirs.id]),
            check(
              'list audit events',
              client(admin.url, tenant.auditor).get('/v1/audit-events?limit=100'),
              (answer) => answer.status === 200 && answer.body.data.length > 0,
            ),
          );
          if (i % 2 === 0) {
            const service = i % 4 === 0 ? verifyA : verifyB;
            requests.push(
              check(
                'verify own key',
                verifyOn(service, tenant.verifier, { key: own.key }),
                (answer) => answer.status === 200 && answer.body.code === 'VALID',
              ),
              check(
                "verify the other tenant's key",
                verifyOn(service, tenant.verifier, { key: theirs.key }),
                (answer) => answer.status === 200 && answer.body.code === 'NOT_FOUND',
                [theirs.key],
              ),
            );
          }
        }
      }
      const checks = await Promise.all(requests);
      bursting = false;
      await sampler;

      const wrong = checks
        .filter((check) => !check.expected(check.answer))
        .map((check) => [check.what, check.answer.status, check.answer.body]);
      const leaked = checks
        .filter((check) =>
          foreign(check.tenant).some((value) => !check.sent.includes(value) && JSON.stringify(check.answer.body).includes(value)),
        )
        .map((check) => [check.what, check.answer.body]);
      expect({ answers: checks.length, wrong, leaked }).toEqual({ answers: 320, wrong: [], leaked: [] });

      // The pool really is shared: more of the services' connections than server sessions.
      const clients = (await bouncer.show('CLIENTS')).filter((row) => row.user === appRole);
      expect(clients.length).toBeGreaterThan(bouncer.poolSize);
      expect(Math.max(...sessionCounts)).toBeLessThanOrEqual(bouncer.poolSize);
      expect(servedPids.size).toBeGreaterThan(0);

      // The server sessions that just served both tenants keep no tenant: a query without one sees
      // no rows, from more clients at once than there are sessions.
      const owner = (
        await sql<{ keys: number; events: number; credentials: number }>(
          'owner',
          'SELECT (SELECT count(*) FROM api_keys)::int AS keys, (SELECT count(*) FROM audit_events)::int AS events, (SELECT count(*) FROM credentials)::int AS credentials',
        )
      )[0];
      expect(Math.min(owner.keys, owner.events, owner.credentials)).toBeGreaterThan(0);
      const probes = await Promise.all(
        Array.from({ length: 12 }, () =>
          throughBouncer<{ pid: number; tenant: string; keys: number; events: number; credentials: number }>(
            bouncer,
            `SELECT pg_backend_pid() AS pid, coalesce(current_setting('keyward.tenant_id', true), '') AS tenant,
                    (SELECT count(*) FROM api_keys)::int AS keys, (SELECT count(*) FROM audit_events)::int AS events,
                    (SELECT count(*) FROM credentials)::int AS credentials`,
          ).then(([row]) => row),
        ),
      );
      expect(probes.map(({ pid: _pid, ...seen }) => seen)).toEqual(Array(12).fill({ tenant: '', keys: 0, events: 0, credentials: 0 }));
      expect(probes.some((probe) => servedPids.has(probe.pid))).toBe(true);
    }));

  it('gives the services their time limits on every pooled session, although they send none when connecting', () =>
    withDiagnostics(async () => {
      const settings = await Promise.all(
        Array.from({ length: 8 }, () =>
          throughBouncer(
            bouncer,
            `SELECT current_setting('statement_timeout') AS statement, current_setting('idle_in_transaction_session_timeout') AS idle`,
          ).then(([row]) => row),
        ),
      );
      expect(settings).toEqual(Array(8).fill({ statement: '5s', idle: '10s' }));
    }));

  it('lets exactly the limit through a window across two verify processes', () =>
    withDiagnostics(() => limitIsExactAcrossProcesses(fleet())));

  it('spends credits exactly across two verify processes and writes the balance back', () =>
    withDiagnostics(() => creditsAreExactAcrossProcesses(fleet())));

  it('puts revoke, disable, a patch of scopes and tenant suspension in force on both verify processes within a second', () =>
    withDiagnostics(() => changesReachEveryProcessWithinASecond(fleet())));

  it('creates a key once per Idempotency-Key, replaying the first answer to retries, concurrent ones included', () =>
    withDiagnostics(async () => {
      const api = client(admin.url, a.admin);
      const headers = { 'idempotency-key': `pgbouncer-${a.id}` };
      const first = await api.post('/v1/keys', { name: 'idempotent' }, { headers });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const retries = await Promise.all(Array.from({ length: 6 }, () => api.post('/v1/keys', { name: 'idempotent' }, { headers })));

      expect(retries.map((retry) => [retry.status, retry.headers.get('idempotent-replayed'), retry.body.id, retry.body.key])).toEqual(
        Array(6).fill([201, 'true', first.body.id, first.body.key]),
      );
      const reused = await api.post('/v1/keys', { name: 'another' }, { headers });
      expect([reused.status, reused.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
      const made = await sql<{ n: number }>(
        'owner',
        `SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1 AND name = 'idempotent'`,
        [a.id],
      );
      expect(made[0].n).toBe(1);
    }));

  it("verifies each tenant's audit chain and exports it (COPY) whole, with no other tenant's event", () =>
    withDiagnostics(async () => {
      const exportOf = async (tenant: TestTenant, format: 'ndjson' | 'csv') => {
        const response = await fetch(`${admin.url}/v1/audit-events/export?format=${format}`, {
          headers: { authorization: `Bearer ${tenant.auditor}` },
        });
        return { status: response.status, text: await response.text() };
      };
      // Both tenants' exports at once, each holding a pooled server session for its COPY.
      const results = await Promise.all(
        [a, b].map(async (tenant) => {
          const [verdict, ndjson, csv, stored] = await Promise.all([
            client(admin.url, tenant.auditor).get('/v1/audit-events/verify'),
            exportOf(tenant, 'ndjson'),
            exportOf(tenant, 'csv'),
            sql<{ n: number }>('owner', 'SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1', [tenant.id]).then(
              ([row]) => row.n,
            ),
          ]);
          return { tenant, verdict, ndjson, csv, stored };
        }),
      );
      for (const { tenant, verdict, ndjson, csv, stored } of results) {
        expect(stored).toBeGreaterThan(4);
        expect([verdict.status, verdict.body.valid, verdict.body.count]).toEqual([200, true, stored]);
        expect([ndjson.status, csv.status]).toEqual([200, 200]);
        const events = ndjson.text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line));
        expect(events.map((event) => event.seq)).toEqual(Array.from({ length: stored }, (_, i) => i + 1));
        expect(events[events.length - 1].hash).toBe(verdict.body.headHash);
        expect(csv.text.split(/\r?\n/).filter(Boolean)).toHaveLength(stored + 1);
        const otherId = (tenant === a ? b : a).id;
        expect([ndjson.text.includes(otherId), csv.text.includes(otherId)]).toEqual([false, false]);
      }
    }));

  it('runs a job through it: the expiry run records the passed expiry', () =>
    withDiagnostics(async () => {
      // The schedulers' first runs (which find nothing) must be done, so that none takes this key.
      for (let i = 0; ; i++) {
        const overview = await client(admin.url, TEST_PLATFORM_TOKEN).get('/v1/jobs');
        const counts = overview.body.queues
          .filter((queue: { name: string }) => (SCHEDULED_JOBS as readonly string[]).includes(queue.name))
          .map((queue: any) => queue.counts);
        if (counts.every((count: any) => count.completed + count.failed >= 1 && count.active + count.waiting === 0)) break;
        if (i > 300) throw new Error(`the schedulers' first runs did not finish: ${JSON.stringify(counts)}`);
        await sleep(50);
      }
      const { id, key } = await createKey(admin.url, b.admin, {
        name: 'expiring',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
      // Past its expiry now, as time would make it.
      await sql('owner', `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);

      const run = await runJob(admin.url, 'expiry');
      expect(run.result).toMatchObject({ expired: 1, failed: 0 });
      const recorded = await client(admin.url, b.auditor).get('/v1/audit-events?action=key.expired');
      expect(recorded.body.data.map((event: any) => event.target.id)).toEqual([id]);
      expect((await verifyOn(verifyA, b.verifier, { key })).body.code).toBe('EXPIRED');
    }));

  it('refuses to migrate through it, and migrates on the direct connection', async () => {
    await expect(runMigrations(bouncer.ownerUrl)).rejects.toThrow(
      /connection pooler such as PgBouncer.*must connect to PostgreSQL directly/s,
    );
    await expect(runMigrations(process.env.KEYWARD_TEST_OWNER_URL!)).resolves.toEqual([]);
  });

  it(
    'leaves every key rotated completely or untouched when a worker is killed mid-run, and the next run rotates the rest exactly once',
    () => withDiagnostics(() => killedRotationRunFinishesOnce({ adminUrl: killAdmin.url, env: killEnv })),
    90_000,
  );

  it(
    'runs each period of a schedule once with two worker processes',
    () =>
      withDiagnostics(() =>
        twoWorkersRunEachPeriodOnce({
          adminUrl: admin.url,
          env: { REDIS_KEY_PREFIX: onDemandJobsEnv('pgbouncer-schedule').REDIS_KEY_PREFIX, DATABASE_APP_URL: bouncer.appUrl },
        }),
      ),
    60_000,
  );
});
