// Retention (docs/operations.md): the worker's hourly housekeeping deletes, in batches, exactly the
// rows past their age (usage buckets, finished webhook deliveries, expired idempotency records),
// and never a pending delivery nor an audit event.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EnforceRetention } from '../apps/worker/src/retention';
import { parseSamples, total } from '../bench/support/prometheus-text';
import { createTenant, type TestTenant } from './support/builders';
import { sql, useOwnDatabase } from './support/database';
import { client, request } from './support/http-client';
import { onDemandJobsEnv } from './support/jobs';
import { createKey } from './support/key-builders';
import { startAdminApi, startWorker, type RunningHttpApp } from './support/running-apps';
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

    const dataSource = await new DataSource({ type: 'postgres', url: process.env.KEYWARD_TEST_APP_URL, extra: { max: 1 } }).initialize();
    try {
      // As the app role the worker runs as, two rows a batch.
      const report = await new EnforceRetention(dataSource, testConfig({ RETENTION_BATCH_SIZE: '2' })).execute();
      expect(report.deleted).toEqual({
        idempotency_records: 1,
        key_usage: 5,
        webhook_deliveries_succeeded: 3,
        webhook_deliveries_failed: 2,
      });
      // Until a batch comes back short: 1 (idempotency) + 3 (2, 2, 1) + 2 (2, 1) + 2 (2, 0).
      expect(report.batches).toBe(8);
      // A second run finds nothing.
      expect((await new EnforceRetention(dataSource, testConfig()).execute()).deleted).toEqual({
        idempotency_records: 0,
        key_usage: 0,
        webhook_deliveries_succeeded: 0,
        webhook_deliveries_failed: 0,
      });
    } finally {
      await dataSource.destroy();
    }

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
