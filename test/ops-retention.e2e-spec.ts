// Retention (docs/operations.md): the worker's hourly housekeeping deletes, in batches, exactly the
// rows past their age (usage buckets, finished webhook deliveries, expired idempotency records),
// and never a pending delivery nor an audit event.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EnforceRetention } from '../apps/worker/src/retention';
import { parseSamples, total } from '../bench/support/prometheus-text';
import { createTenant, type TestTenant } from './support/builders';
import { sql, useOwnDatabase } from './support/database';
import { client, request } from './support/http-client';
import { onDemandJobsEnv } from './support/jobs';
import { createKey } from './support/key-builders';
import { startAdminApi, startVerify, startWorker, type RunningHttpApp } from './support/running-apps';
import { testConfig } from './support/test-config';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rows a seeding made, by whether retention must delete them. */
interface Seeded {
  deleted: string[];
  kept: string[];
}

describe('retention', () => {
  let dropOwnDatabase: () => Promise<void>;
  let admin: RunningHttpApp;
  let tenant: TestTenant;
  let keyId: string;
  let subscriptionId: string;

  /** Every row retention may touch, each named `table:id` (key_usage: by its hour and code). */
  const allRows = async (): Promise<string[]> => [
    ...(await sql<{ id: string }>('owner', `SELECT 'key_usage:' || hour::text || '/' || code AS id FROM key_usage`)).map((r) => r.id),
    ...(await sql<{ id: string }>('owner', `SELECT 'webhook_deliveries:' || id AS id FROM webhook_deliveries`)).map((r) => r.id),
    ...(await sql<{ id: string }>('owner', `SELECT 'idempotency_records:' || id AS id FROM idempotency_records`)).map((r) => r.id),
  ];

  const usage = async (into: string[], daysAgo: number, code: string) => {
    const [row] = await sql<{ id: string }>(
      'owner',
      `INSERT INTO key_usage (tenant_id, key_id, hour, code, count) VALUES ($1, $2, now() - make_interval(days => $3), $4, 7)
       RETURNING 'key_usage:' || hour::text || '/' || code AS id`,
      [tenant.id, keyId, daysAgo, code],
    );
    into.push(row.id);
  };
  const delivery = async (into: string[], status: string, updatedDaysAgo: number) => {
    const [row] = await sql<{ id: string }>(
      'owner',
      `INSERT INTO webhook_deliveries (tenant_id, subscription_id, message_id, event_type, body, status, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, 'key.created', '{}', $4, now() + interval '1 day', now() - make_interval(days => $5 + 1), now() - make_interval(days => $5))
       RETURNING 'webhook_deliveries:' || id AS id`,
      [tenant.id, subscriptionId, `msg_${randomUUID()}`, status, updatedDaysAgo],
    );
    into.push(row.id);
  };
  const idempotencyRecord = async (into: string[], expiresInHours: number) => {
    const [row] = await sql<{ id: string }>(
      'owner',
      `INSERT INTO idempotency_records (tenant_id, principal, idempotency_key, request_hash, status_code, expires_at)
       VALUES ($1, $2, $3, '\\x00', 201, now() + make_interval(hours => $4)) RETURNING 'idempotency_records:' || id AS id`,
      [tenant.id, `credential:${randomUUID()}`, randomUUID(), expiresInHours],
    );
    into.push(row.id);
  };

  /** Rows on both sides of every bound of the defaults (400 days, 30 and 90 days, expiry). */
  const seed = async (): Promise<Seeded> => {
    const seeded: Seeded = { deleted: [], kept: [] };
    for (const [days, code] of [
      [401, 'VALID'],
      [401, 'RATE_LIMITED'],
      [402, 'VALID'],
      [500, 'VALID'],
      [500, 'NOT_FOUND'],
    ] as const)
      await usage(seeded.deleted, days, code);
    await usage(seeded.kept, 399, 'VALID');
    await usage(seeded.kept, 0, 'VALID');
    for (let i = 0; i < 3; i++) await delivery(seeded.deleted, 'succeeded', 31);
    await delivery(seeded.kept, 'succeeded', 29);
    for (let i = 0; i < 2; i++) await delivery(seeded.deleted, 'failed', 91);
    await delivery(seeded.kept, 'failed', 89);
    await delivery(seeded.kept, 'failed', 31); // failed ones are kept 90 days, not 30
    await delivery(seeded.kept, 'pending', 200); // still being retried: never retention's
    await idempotencyRecord(seeded.deleted, -1);
    await idempotencyRecord(seeded.kept, 1);
    return seeded;
  };
  /** EnforceRetention as the worker builds it, on a connection of the app role the worker runs as. */
  const withRetention = async <T>(env: Record<string, string>, use: (retention: EnforceRetention) => Promise<T>): Promise<T> => {
    const dataSource = await new DataSource({ type: 'postgres', url: process.env.KEYWARD_TEST_APP_URL, extra: { max: 1 } }).initialize();
    try {
      return await use(new EnforceRetention(dataSource, testConfig(env)));
    } finally {
      await dataSource.destroy();
    }
  };
  const auditEvents = async (): Promise<number> => (await sql<{ n: number }>('owner', 'SELECT count(*)::int AS n FROM audit_events'))[0].n;

  beforeAll(async () => {
    // Its own database: retention deletes across tenants, and the test counts every row.
    dropOwnDatabase = await useOwnDatabase();
    admin = await startAdminApi();
    tenant = await createTenant(admin.url);
    keyId = (await createKey(admin.url, tenant.admin, { name: 'retention' })).id;
    [{ id: subscriptionId }] = await sql<{ id: string }>(
      'owner',
      `INSERT INTO webhook_subscriptions (tenant_id, url, events, sealed_secret) VALUES ($1, 'http://127.0.0.1:9/hook', '{key.created}', '\\x00') RETURNING id`,
      [tenant.id],
    );
  });
  afterAll(async () => {
    await admin?.close();
    await dropOwnDatabase?.();
  });

  it('deletes exactly the rows past their age, a batch of RETENTION_BATCH_SIZE a statement, and no audit event', async () => {
    const before = new Set(await allRows());
    const seeded = await seed();
    const events = await auditEvents();
    expect(events).toBeGreaterThan(0);

    await withRetention({ RETENTION_BATCH_SIZE: '2' }, async (retention) => {
      const report = await retention.execute();
      expect(report.deleted).toEqual({
        idempotency_records: 1,
        key_usage: 5,
        webhook_deliveries_succeeded: 3,
        webhook_deliveries_failed: 2,
      });
      // Two rows a batch, until a batch comes back short: 1 (idempotency) + 3 (2, 2, 1) + 2 (2, 1) + 2 (2, 0).
      expect(report.batches).toBe(8);
      // A second run finds nothing.
      expect(Object.values((await retention.execute()).deleted)).toEqual([0, 0, 0, 0]);
    });

    const after = new Set(await allRows());
    expect(seeded.deleted.filter((row) => after.has(row))).toEqual([]);
    expect(seeded.kept.filter((row) => !after.has(row))).toEqual([]);
    expect([...before].filter((row) => !after.has(row))).toEqual([]);
    expect(await auditEvents()).toBe(events);
    expect((await client(admin.url, tenant.auditor).get('/v1/audit-events/verify')).body).toMatchObject({ valid: true });
  });

  it("is enforced by the worker's hourly housekeeping job, whose first run starts at once", async () => {
    const seeded = await seed();
    const worker = await startWorker({ env: onDemandJobsEnv('retention') });
    try {
      let rows = new Set(await allRows());
      for (let i = 0; i < 200 && seeded.deleted.some((row) => rows.has(row)); i++) {
        await sleep(50);
        rows = new Set(await allRows());
      }
      expect(seeded.deleted.filter((row) => rows.has(row))).toEqual([]);
      expect(seeded.kept.filter((row) => !rows.has(row))).toEqual([]);
      const metrics = parseSamples((await request<string>(worker.url, 'GET', '/metrics')).body);
      expect(total(metrics, 'keyward_job_runs_total', ['queue="housekeeping"', 'outcome="completed"'])).toBeGreaterThanOrEqual(1);
      expect(total(metrics, 'keyward_job_runs_total', ['queue="housekeeping"', 'outcome="failed"'])).toBe(0);
    } finally {
      await worker.close();
    }
  });

  it('deletes 20 000 old usage buckets in batches while verifications run: none fails, no lock is waited for 100 ms', async () => {
    const verify = await startVerify();
    const watcher = new Client({ connectionString: process.env.KEYWARD_TEST_OWNER_URL });
    const writer = new Client({ connectionString: process.env.KEYWARD_TEST_APP_URL });
    await Promise.all([watcher.connect(), writer.connect()]);
    try {
      const key = await createKey(admin.url, tenant.admin, { name: 'under-load' });
      await sql(
        'owner',
        `INSERT INTO key_usage (tenant_id, key_id, hour, code, count)
         SELECT $1, $2, date_trunc('hour', now()) - interval '401 days' - make_interval(hours => i), 'VALID', 1 FROM generate_series(1, 20000) i`,
        [tenant.id, key.id],
      );
      let running = true;
      // Every backend of this database seen waiting for a lock, from the first sample to the last.
      const waits = new Map<string, { first: number; last: number }>();
      const watching = (async () => {
        while (running) {
          const { rows } = await watcher.query<{ id: string }>(
            `SELECT pid || '/' || query_start AS id FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          const now = performance.now();
          for (const { id } of rows) waits.set(id, { first: waits.get(id)?.first ?? now, last: now });
          await sleep(5);
        }
      })();
      const answers: (string | number)[] = [];
      const verifying = Promise.all(
        Array.from({ length: 4 }, async () => {
          while (running || answers.length < 100) {
            const answer = await client(verify.url, tenant.verifier).post('/v1/verify', { key: key.key });
            answers.push(answer.status === 200 ? answer.body.code : answer.status);
          }
        }),
      );
      // Besides verify's own write-back (once a second), usage written to the table without pause,
      // as the app role, through the function verify writes with.
      const written: number[] = [];
      const writing = (async () => {
        while (running) {
          await writer.query(
            `SELECT keyward_record_usage(ARRAY[$1]::uuid[], ARRAY[date_trunc('hour', now())], ARRAY['VALID'], ARRAY[1]::bigint[], '{}', '{}')`,
            [key.id],
          );
          written.push(performance.now());
        }
      })();
      await sleep(200); // the load under way
      const started = performance.now();
      const report = await withRetention({}, (retention) => retention.execute());
      const ended = performance.now();
      running = false;
      await Promise.all([verifying, watching, writing]);

      expect(report.deleted.key_usage).toBe(20_000);
      expect(report.batches).toBe(1 + 21 + 1 + 1); // 20 full batches of 1000 and a short one
      expect(answers.length).toBeGreaterThanOrEqual(100);
      expect(answers.filter((code) => code !== 'VALID')).toEqual([]);
      expect(written.filter((at) => at > started && at < ended).length).toBeGreaterThanOrEqual(5);
      expect(Math.max(0, ...[...waits.values()].map(({ first, last }) => last - first))).toBeLessThan(100);
      const [{ n }] = await sql<{ n: number }>(
        'owner',
        `SELECT count(*)::int AS n FROM key_usage WHERE key_id = $1 AND hour < now() - interval '400 days'`,
        [key.id],
      );
      expect(n).toBe(0);
    } finally {
      await Promise.all([watcher.end(), writer.end(), verify.close()]);
    }
  });

  it('defaults to 400 days of usage, 30 days of succeeded and 90 of failed deliveries, 1000 rows a batch, and refuses less than 31 days of usage', () => {
    expect(testConfig().retention).toEqual({ usageDays: 400, webhookSucceededDays: 30, webhookFailedDays: 90, batchSize: 1000 });
    expect(testConfig({ USAGE_RETENTION_DAYS: '31', WEBHOOK_SUCCEEDED_RETENTION_DAYS: '1' }).retention).toMatchObject({
      usageDays: 31,
      webhookSucceededDays: 1,
    });
    expect(() => testConfig({ USAGE_RETENTION_DAYS: '30' })).toThrow(/USAGE_RETENTION_DAYS must be an integer from 31 to 36500/);
    expect(() => testConfig({ RETENTION_BATCH_SIZE: '0' })).toThrow(/RETENTION_BATCH_SIZE/);
  });
});
