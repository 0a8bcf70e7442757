// The expiry job (issue 7; docs/api.md, Keys/Audit/Webhooks): a passed expiry recorded once (audit
// key.expired, webhook key.expired), key.expiring once per key and warning day, however many runs
// repeat or race, and a run that fails half-way leaves each key recorded or untouched.
// The suite has a database and a Redis prefix of its own: its runs count every key they find, and
// no other suite's worker may take its jobs.
import { ExpireKeysUseCase } from '@keyward/keys';
import { jobResult, runJob, startJobRun, startOnDemandJobApps, type OnDemandJobApps } from './support/jobs';
import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client } from './support/http-client';
import { createKey } from './support/key-builders';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe('expiry job', () => {
  let apps: OnDemandJobApps;
  let admin: OnDemandJobApps['admin'];
  let verify: OnDemandJobApps['verify'];
  let worker: OnDemandJobApps['worker'];

  beforeAll(async () => {
    // Runs come from the tests only (after the schedulers' first run, which finds nothing); its second
    // worker takes runs at once with the first.
    apps = await startOnDemandJobApps('expiry');
    ({ admin, verify, worker } = apps);
  }, 60_000);
  afterAll(() => apps?.close());

  const startRun = () => startJobRun(admin.url, 'expiry');
  const finished = (jobId: string) => jobResult(admin.url, jobId);
  const runExpiry = () => runJob(admin.url, 'expiry');

  async function tenantWithWebhook(): Promise<TestTenant> {
    const tenant = await createTenant(admin.url);
    const hook = await client(admin.url, tenant.admin).post('/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['key.expired', 'key.expiring'],
    });
    expect(hook.status).toBe(201);
    return tenant;
  }

  /** A key of `tenant` that expired a moment ago (its expiresAt set in the past, as time would). */
  async function expiredKey(tenant: TestTenant, body: Record<string, unknown> = {}): Promise<any> {
    const key = await createKey(admin.url, tenant.admin, {
      name: 'expiring',
      expiresAt: new Date(Date.now() + HOUR_MS).toISOString(),
      ...body,
    });
    await sql('owner', `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [key.id]);
    return key;
  }

  const deliveries = (tenantId: string, eventType: string) =>
    sql<{ body: string }>('owner', 'SELECT body FROM webhook_deliveries WHERE tenant_id = $1 AND event_type = $2 ORDER BY created_at, id', [
      tenantId,
      eventType,
    ]).then((rows) => rows.map((row) => ({ raw: row.body, ...JSON.parse(row.body) })));

  const auditEvents = (tenantId: string, action: string) =>
    sql<{ target_id: string; actor_type: string; actor_id: string; request_id: string; details: any }>(
      'owner',
      'SELECT target_id, actor_type, actor_id, request_id, details FROM audit_events WHERE tenant_id = $1 AND action = $2 ORDER BY seq',
      [tenantId, action],
    );

  it('records a passed expiry once: status expired, audit key.expired and a key.expired webhook without the secret', async () => {
    const tenant = await tenantWithWebhook();
    const api = client(admin.url, tenant.admin);
    const expiresAt = new Date(Date.now() + 1_500);
    const key = await createKey(admin.url, tenant.admin, { name: 'short-lived', ownerId: 'svc-7', expiresAt: expiresAt.toISOString() });
    await sleep(expiresAt.getTime() - Date.now() + 200);

    const { jobId, result } = await runExpiry();
    expect(result).toEqual({ expired: 1, warned: 0, failed: 0 });

    expect((await api.get(`/v1/keys/${key.id}`)).body.status).toBe('expired');
    expect((await client(verify.url, tenant.verifier).post('/v1/verify', { key: key.key })).body.code).toBe('EXPIRED');
    const events = (await api.get(`/v1/audit-events?action=key.expired&keyId=${key.id}`)).body.data;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: { type: 'system', id: 'expiry' },
      requestId: `job:${jobId}`,
      ip: null,
      target: { type: 'key', id: key.id },
      details: { expiresAt: key.expiresAt },
    });
    const sent = await deliveries(tenant.id, 'key.expired');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: 'key.expired',
      data: { keyId: key.id, ownerId: 'svc-7', name: 'short-lived', expiresAt: key.expiresAt },
    });
    expect(Object.keys(sent[0].data).sort()).toEqual(['expiresAt', 'keyId', 'name', 'ownerId']);
    expect(sent[0].raw).not.toContain(key.key);
    expect(await deliveries(tenant.id, 'key.expiring')).toEqual([]);

    const again = await runExpiry();
    expect(again.result).toEqual({ expired: 0, warned: 0, failed: 0 });
    expect(await auditEvents(tenant.id, 'key.expired')).toHaveLength(1);
    expect(await deliveries(tenant.id, 'key.expired')).toHaveLength(1);
    expect((await api.get('/v1/audit-events/verify')).body).toMatchObject({ valid: true });
  });

  it('warns once per key and warning day, never for an expired or revoked key, and again for a new expiry', async () => {
    const tenant = await tenantWithWebhook();
    const api = client(admin.url, tenant.admin);
    const policy = await api.put('/v1/policy', {
      unusedKeyDays: null,
      unusedKeyAction: 'report',
      maxKeyLifetimeDays: null,
      expiryWarningDays: [7, 1],
    });
    expect(policy.status).toBe(200);
    const inThreeDays = await createKey(admin.url, tenant.admin, {
      name: 'three days',
      expiresAt: new Date(Date.now() + 3 * DAY_MS).toISOString(),
    });
    const inHalfADay = await createKey(admin.url, tenant.admin, {
      name: 'half a day',
      expiresAt: new Date(Date.now() + 12 * HOUR_MS).toISOString(),
    });
    await createKey(admin.url, tenant.admin, { name: 'a month', expiresAt: new Date(Date.now() + 30 * DAY_MS).toISOString() });
    const revoked = await createKey(admin.url, tenant.admin, {
      name: 'revoked',
      expiresAt: new Date(Date.now() + 2 * DAY_MS).toISOString(),
    });
    expect((await api.post(`/v1/keys/${revoked.id}/revoke`, {})).status).toBe(200);
    const revokedThenExpired = await expiredKey(tenant, { name: 'revoked then expired' });
    expect((await api.post(`/v1/keys/${revokedThenExpired.id}/revoke`, {})).status).toBe(200);
    const expired = await expiredKey(tenant, { name: 'expired' });
    // Rotated with an hour's grace: key.rotated said when the old key stops working, so no warning.
    const rotatedOut = await createKey(admin.url, tenant.admin, { name: 'rotated out' });
    expect((await api.post(`/v1/keys/${rotatedOut.id}/rotate`, { gracePeriodSeconds: 3600 })).status).toBe(201);

    const first = await runExpiry();
    expect(first.result).toEqual({ expired: 1, warned: 3, failed: 0 });
    const warnings = await deliveries(tenant.id, 'key.expiring');
    const sent = warnings.map((warning) => `${warning.data.keyId}:${warning.data.daysBefore}`).sort();
    expect(sent).toEqual([`${inHalfADay.id}:1`, `${inHalfADay.id}:7`, `${inThreeDays.id}:7`].sort());
    const threeDayWarning = warnings.find((warning) => warning.data.keyId === inThreeDays.id);
    expect(threeDayWarning.data).toEqual({
      keyId: inThreeDays.id,
      ownerId: null,
      name: 'three days',
      expiresAt: inThreeDays.expiresAt,
      daysBefore: 7,
    });
    expect((await deliveries(tenant.id, 'key.expired')).map((event) => event.data.keyId)).toEqual([expired.id]);

    const second = await runExpiry();
    expect(second.result).toEqual({ expired: 0, warned: 0, failed: 0 });
    expect(await deliveries(tenant.id, 'key.expiring')).toHaveLength(3);
    expect(await deliveries(tenant.id, 'key.expired')).toHaveLength(1);

    // A new expiry is a new fact: its warnings are sent for the new date.
    const moved = new Date(Date.now() + 2 * DAY_MS).toISOString();
    expect((await api.patch(`/v1/keys/${inThreeDays.id}`, { expiresAt: moved })).status).toBe(200);
    const third = await runExpiry();
    expect(third.result).toEqual({ expired: 0, warned: 1, failed: 0 });
    const latest = (await deliveries(tenant.id, 'key.expiring')).at(-1);
    expect(latest.data).toMatchObject({ keyId: inThreeDays.id, expiresAt: moved, daysBefore: 7 });
  });

  it('records each expiry and warning once however many runs race', async () => {
    const tenant = await tenantWithWebhook();
    const keys = [];
    for (let i = 0; i < 4; i++) keys.push(await expiredKey(tenant, { name: `racing ${i}` }));
    await createKey(admin.url, tenant.admin, { name: 'warned', expiresAt: new Date(Date.now() + 2 * DAY_MS).toISOString() });

    // Two workers take runs at once; the use case is also run four times at once in one process.
    const jobIds = await Promise.all([startRun(), startRun(), startRun()]);
    const results = await Promise.all(jobIds.map(finished));
    const total = (field: string) => results.reduce((sum, result) => sum + result[field], 0);
    expect(total('expired')).toBe(4);
    expect(total('warned')).toBe(1);
    expect(total('failed')).toBe(0);

    for (let i = 0; i < 3; i++) keys.push(await expiredKey(tenant, { name: `racing again ${i}` }));
    const expireKeys = worker.app.get(ExpireKeysUseCase, { strict: false });
    const direct = await Promise.all([1, 2, 3, 4].map((i) => expireKeys.execute(`test-race-${i}`)));
    expect(direct.reduce((sum, result) => sum + result.expired, 0)).toBe(3);
    expect(direct.reduce((sum, result) => sum + result.failed, 0)).toBe(0);

    expect((await auditEvents(tenant.id, 'key.expired')).map((event) => event.target_id).sort()).toEqual(keys.map((key) => key.id).sort());
    expect(await deliveries(tenant.id, 'key.expired')).toHaveLength(7);
    expect(await deliveries(tenant.id, 'key.expiring')).toHaveLength(1);
    expect((await client(admin.url, tenant.auditor).get('/v1/audit-events/verify')).body).toMatchObject({ valid: true });
  });

  it('a run failing half-way leaves each key recorded or untouched, and the next run records the rest once', async () => {
    const healthy = await tenantWithWebhook();
    const failing = await tenantWithWebhook();
    const healthyKey = await expiredKey(healthy);
    const failingKey = await expiredKey(failing);
    // The failing tenant's transaction breaks at its last step, the audit event, after the key's
    // mark and the webhook were written: all of it must roll back.
    await sql(
      'owner',
      `CREATE FUNCTION test_expiry_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
    );
    await sql(
      'owner',
      `CREATE TRIGGER test_expiry_fail AFTER INSERT ON audit_events FOR EACH ROW WHEN (NEW.tenant_id = '${failing.id}') EXECUTE FUNCTION test_expiry_fail()`,
    );
    try {
      const broken = await runExpiry();
      expect(broken.result).toEqual({ expired: 1, warned: 0, failed: 1 });
    } finally {
      await sql('owner', 'DROP TRIGGER test_expiry_fail ON audit_events');
      await sql('owner', 'DROP FUNCTION test_expiry_fail()');
    }
    expect((await auditEvents(healthy.id, 'key.expired')).map((event) => event.target_id)).toEqual([healthyKey.id]);
    expect(await deliveries(healthy.id, 'key.expired')).toHaveLength(1);
    expect(await auditEvents(failing.id, 'key.expired')).toEqual([]);
    expect(await deliveries(failing.id, 'key.expired')).toEqual([]);
    const [mark] = await sql('owner', 'SELECT expiry_recorded_for FROM api_keys WHERE id = $1', [failingKey.id]);
    expect(mark.expiry_recorded_for).toBeNull();

    const recovered = await runExpiry();
    expect(recovered.result).toEqual({ expired: 1, warned: 0, failed: 0 });
    expect((await auditEvents(failing.id, 'key.expired')).map((event) => event.target_id)).toEqual([failingKey.id]);
    expect(await deliveries(failing.id, 'key.expired')).toHaveLength(1);
    expect(await auditEvents(healthy.id, 'key.expired')).toHaveLength(1);
    expect(await deliveries(healthy.id, 'key.expired')).toHaveLength(1);
    // Each tenant's log holds its own key's expiry only, and its chain is whole.
    const healthyLog = (await client(admin.url, healthy.auditor).get('/v1/audit-events?action=key.expired')).body.data;
    expect(healthyLog.map((event: any) => event.target.id)).toEqual([healthyKey.id]);
    for (const tenant of [healthy, failing]) {
      expect((await client(admin.url, tenant.auditor).get('/v1/audit-events/verify')).body).toMatchObject({ valid: true });
    }
  });
});
