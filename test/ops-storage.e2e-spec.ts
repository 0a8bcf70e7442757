// The storage figures of docs/operations.md (Retention, "What it costs"), measured: bytes per audit
// event and per usage bucket, table and indexes together, on the test server's PostgreSQL. The
// documented figures must stay within a quarter of what this measures.
import { createTenant } from './support/builders';
import { sql, useOwnDatabase } from './support/database';
import { createKey, inBatches } from './support/key-builders';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';

/** As docs/operations.md gives them. */
const DOCUMENTED = { bytesPerAuditEvent: 850, bytesPerUsageBucket: 245 };

describe('storage per audit event and per usage bucket', () => {
  let dropOwnDatabase: () => Promise<void>;
  let admin: RunningHttpApp;

  beforeAll(async () => {
    // Its own database: the sizes are of whole tables.
    dropOwnDatabase = await useOwnDatabase();
    admin = await startAdminApi();
  });
  afterAll(async () => {
    await admin?.close();
    await dropOwnDatabase?.();
  });

  /** Table, indexes and TOAST, once vacuumed, and the rows. */
  const size = async (table: 'audit_events' | 'key_usage'): Promise<{ bytes: number; rows: number }> => {
    await sql('owner', `VACUUM ANALYZE ${table}`);
    const [row] = await sql<{ bytes: string; rows: number }>(
      'owner',
      `SELECT pg_total_relation_size('${table}')::text AS bytes, (SELECT count(*)::int FROM ${table}) AS rows`,
    );
    return { bytes: Number(row.bytes), rows: row.rows };
  };
  const perRow = (before: { bytes: number; rows: number }, after: { bytes: number; rows: number }) =>
    (after.bytes - before.bytes) / (after.rows - before.rows);

  it('costs about the documented bytes per audit event (keys created) and per usage bucket', async () => {
    const tenant = await createTenant(admin.url);
    const auditBefore = await size('audit_events');
    const keys = await inBatches(1000, 8, (i) => createKey(admin.url, tenant.admin, { name: `storage-${i}`, scopes: ['read'] }));
    const auditAfter = await size('audit_events');
    expect(auditAfter.rows - auditBefore.rows).toBe(keys.length);

    const usageBefore = await size('key_usage');
    // 100 hours of one answer code for each key: 100 000 buckets.
    await sql(
      'owner',
      `INSERT INTO key_usage (tenant_id, key_id, hour, code, count)
       SELECT $1, k.id, date_trunc('hour', now()) - make_interval(hours => h), 'VALID', 1000
         FROM api_keys k, generate_series(1, 100) h WHERE k.tenant_id = $1`,
      [tenant.id],
    );
    const usageAfter = await size('key_usage');
    expect(usageAfter.rows - usageBefore.rows).toBe(100_000);

    const measured = { bytesPerAuditEvent: perRow(auditBefore, auditAfter), bytesPerUsageBucket: perRow(usageBefore, usageAfter) };
    for (const [figure, documented] of Object.entries(DOCUMENTED)) {
      const value = measured[figure as keyof typeof measured];
      expect({ figure, withinAQuarter: Math.abs(value - documented) <= documented / 4, value }).toMatchObject({
        figure,
        withinAQuarter: true,
      });
    }
  }, 300_000);
});
