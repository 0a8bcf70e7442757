// The unused-key audit job (issue 7; docs/api.md, Policy/Audit/Webhooks): idle keys reported,
// disabled or revoked as the tenant's policy says, each flagged once per idle period however many
// runs repeat or race; GET /v1/reports/unused-keys serves the tenant's latest report, its own keys only.
// The suite has a database and a Redis prefix of its own: its runs count every key they find, and
// no other suite's worker may take its jobs.
import { AuditUnusedKeysUseCase } from '@keyward/keys';
import { firstScheduledRunsDone, onDemandJobsEnv, runJob } from './support/jobs';
import { createTenant, type TestTenant } from './support/builders';
import { sql, useOwnDatabase } from './support/database';
import { client } from './support/http-client';
import { createKey } from './support/key-builders';
import { startAdminApi, startVerify, startWorker, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Worker = Awaited<ReturnType<typeof startWorker>>;
type Action = 'report' | 'disable' | 'revoke';

describe('unused-key audit job', () => {
  let dropOwnDatabase: () => Promise<void>;
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let worker: Worker;

  beforeAll(async () => {
    dropOwnDatabase = await useOwnDatabase();
    // Runs come from the tests only (after the schedulers' first run, which finds nothing).
    const env = onDemandJobsEnv('unused');
    admin = await startAdminApi({ env });
    verify = await startVerify({ env });
    worker = await startWorker({ env });
    await firstScheduledRunsDone(worker);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await verify?.close();
    await admin?.close();
    await dropOwnDatabase?.();
  });

  const platform = () => client(admin.url, TEST_PLATFORM_TOKEN);

  const runAudit = () => runJob(admin.url, 'unused-audit');

  async function tenantWithPolicy(unusedKeyAction: Action, unusedKeyDays: number | null = 30): Promise<TestTenant> {
    const tenant = await createTenant(admin.url);
    const api = client(admin.url, tenant.admin);
    const hook = await api.post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['key.unused', 'key.revoked'] });
    expect(hook.status).toBe(201);
    const policy = await api.put('/v1/policy', { unusedKeyDays, unusedKeyAction, maxKeyLifetimeDays: null, expiryWarningDays: [] });
    expect(policy.status).toBe(200);
    return tenant;
  }

  /** A key made `createdDaysAgo` days ago and, when given, last used `usedDaysAgo` days ago. */
  async function keyOfAge(tenant: TestTenant, name: string, createdDaysAgo: number, usedDaysAgo: number | null = null): Promise<any> {
    const key = await createKey(admin.url, tenant.admin, { name, ownerId: `owner-${name}` });
    await sql(
      'owner',
      `UPDATE api_keys SET created_at = now() - make_interval(days => $2),
                           last_used_at = CASE WHEN $3::int IS NULL THEN NULL ELSE now() - make_interval(days => $3::int) END
        WHERE id = $1`,
      [key.id, createdDaysAgo, usedDaysAgo],
    );
    return key;
  }

  const deliveries = (tenantId: string, eventType: string) =>
    sql<{ body: string }>('owner', 'SELECT body FROM webhook_deliveries WHERE tenant_id = $1 AND event_type = $2 ORDER BY created_at, id', [
      tenantId,
      eventType,
    ]).then((rows) => rows.map((row) => JSON.parse(row.body)));

  const auditEvents = (tenantId: string, action: string) =>
    sql<{ target_id: string; details: any }>(
      'owner',
      'SELECT target_id, details FROM audit_events WHERE tenant_id = $1 AND action = $2 ORDER BY seq',
      [tenantId, action],
    );

  const report = (tenant: TestTenant, role: 'admin' | 'auditor' = 'auditor') =>
    client(admin.url, tenant[role]).get('/v1/reports/unused-keys');
  const statusOf = async (tenant: TestTenant, keyId: string) =>
    (await client(admin.url, tenant.auditor).get(`/v1/keys/${keyId}`)).body.status;

  async function verifyCode(tenant: TestTenant, key: string): Promise<string> {
    return (await client(verify.url, tenant.verifier).post('/v1/verify', { key })).body.code;
  }

  it('answers 404 NOT_FOUND before any audit ran, to admins and auditors only', async () => {
    const tenant = await createTenant(admin.url);
    const none = await report(tenant, 'admin');
    expect(none.status).toBe(404);
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(none.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect((await report(tenant, 'auditor')).status).toBe(404);
    expect((await client(admin.url, tenant.verifier).get('/v1/reports/unused-keys')).status).toBe(403);
    expect((await platform().get('/v1/reports/unused-keys')).status).toBe(403);
    expect((await client(admin.url).get('/v1/reports/unused-keys')).status).toBe(401);
  });

  it('report: lists idle keys (never used counts from creation), flags each once per idle period, changes nothing', async () => {
    const tenant = await tenantWithPolicy('report');
    const api = client(admin.url, tenant.admin);
    const neverUsed = await keyOfAge(tenant, 'never-used', 40);
    const usedLongAgo = await keyOfAge(tenant, 'used-long-ago', 100, 35);
    await keyOfAge(tenant, 'fresh', 0);
    await keyOfAge(tenant, 'used-recently', 100, 2);
    const revoked = await keyOfAge(tenant, 'revoked', 40);
    expect((await api.post(`/v1/keys/${revoked.id}/revoke`, {})).status).toBe(200);
    const expired = await keyOfAge(tenant, 'expired', 40);
    await sql('owner', `UPDATE api_keys SET expires_at = now() - interval '1 hour' WHERE id = $1`, [expired.id]);

    const { jobId, result } = await runAudit();
    expect(result).toMatchObject({ flagged: 2, disabled: 0, revoked: 0, failed: 0 });
    const first = await report(tenant);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ thresholdDays: 30, action: 'report', generatedAt: expect.any(String) });
    expect(first.body.keys.map((entry: any) => entry.id)).toEqual([usedLongAgo.id, neverUsed.id]);
    const entry = first.body.keys.find((candidate: any) => candidate.id === neverUsed.id);
    expect(entry).toEqual({
      id: neverUsed.id,
      name: 'never-used',
      ownerId: 'owner-never-used',
      status: 'active',
      lastUsedAt: null,
      createdAt: expect.any(String),
      flaggedAt: expect.any(String),
      action: 'reported',
    });
    expect((await report(tenant, 'admin')).body).toEqual(first.body);
    expect(await statusOf(tenant, neverUsed.id)).toBe('active');

    const flags = await auditEvents(tenant.id, 'key.flagged_unused');
    expect(flags.map((event) => event.target_id).sort()).toEqual([neverUsed.id, usedLongAgo.id].sort());
    expect(flags.find((event) => event.target_id === neverUsed.id)!.details).toMatchObject({
      thresholdDays: 30,
      lastUsedAt: null,
      action: 'reported',
    });
    const events = (await api.get(`/v1/audit-events?action=key.flagged_unused&keyId=${neverUsed.id}`)).body.data;
    expect(events[0]).toMatchObject({ actor: { type: 'system', id: 'unused-audit' }, requestId: `job:${jobId}`, ip: null });
    const unused = await deliveries(tenant.id, 'key.unused');
    expect(unused.map((event) => event.data.keyId).sort()).toEqual([neverUsed.id, usedLongAgo.id].sort());
    expect(unused.find((event) => event.data.keyId === usedLongAgo.id).data).toMatchObject({
      keyId: usedLongAgo.id,
      name: 'used-long-ago',
      ownerId: 'owner-used-long-ago',
      lastUsedAt: expect.any(String),
      thresholdDays: 30,
      action: 'reported',
    });

    // The same idle period: a new report, no new flag, event or webhook.
    const again = await runAudit();
    expect(again.result).toMatchObject({ flagged: 0, disabled: 0, revoked: 0, failed: 0 });
    const second = await report(tenant);
    expect(new Date(second.body.generatedAt).getTime()).toBeGreaterThan(new Date(first.body.generatedAt).getTime());
    expect(second.body.keys).toEqual(first.body.keys);
    expect(await auditEvents(tenant.id, 'key.flagged_unused')).toHaveLength(2);
    expect(await deliveries(tenant.id, 'key.unused')).toHaveLength(2);

    // Used again, the key leaves the report; idle again past the threshold, it is a new idle period.
    await sql('owner', `UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [neverUsed.id]);
    await runAudit();
    expect((await report(tenant)).body.keys.map((candidate: any) => candidate.id)).toEqual([usedLongAgo.id]);
    await sql('owner', `UPDATE api_keys SET last_used_at = now() - interval '31 days' WHERE id = $1`, [neverUsed.id]);
    const newPeriod = await runAudit();
    expect(newPeriod.result).toMatchObject({ flagged: 1, failed: 0 });
    expect((await auditEvents(tenant.id, 'key.flagged_unused')).filter((event) => event.target_id === neverUsed.id)).toHaveLength(2);
    expect((await api.get('/v1/audit-events/verify')).body).toMatchObject({ valid: true });
  });

  it('disable: disables idle keys through the PATCH path (status disabled, verify DISABLED within a second), once', async () => {
    const tenant = await tenantWithPolicy('disable');
    const api = client(admin.url, tenant.admin);
    const key = await keyOfAge(tenant, 'idle', 60);
    // Cached as VALID on the verify process first, so that its invalidation is what makes it DISABLED.
    expect(await verifyCode(tenant, key.key)).toBe('VALID');
    for (let i = 0; i < 100; i++) {
      const [row] = await sql('owner', 'SELECT last_used_at FROM api_keys WHERE id = $1', [key.id]);
      if (row.last_used_at) break;
      await sleep(100);
    }
    await sql('owner', `UPDATE api_keys SET last_used_at = now() - interval '45 days' WHERE id = $1`, [key.id]);

    const { result } = await runAudit();
    expect(result).toMatchObject({ flagged: 1, disabled: 1, revoked: 0, failed: 0 });
    expect(await statusOf(tenant, key.id)).toBe('disabled');
    const deadline = Date.now() + 1_000;
    let code = await verifyCode(tenant, key.key);
    while (code !== 'DISABLED' && Date.now() < deadline) {
      await sleep(50);
      code = await verifyCode(tenant, key.key);
    }
    expect(code).toBe('DISABLED');
    expect((await auditEvents(tenant.id, 'key.flagged_unused')).map((event) => event.target_id)).toEqual([key.id]);
    const disabled = await auditEvents(tenant.id, 'key.disabled');
    expect(disabled.map((event) => event.target_id)).toEqual([key.id]);
    expect(disabled[0].details.reason).toMatch(/unused/);
    expect((await deliveries(tenant.id, 'key.unused')).map((event) => event.data)).toEqual([
      expect.objectContaining({ keyId: key.id, action: 'disabled' }),
    ]);
    expect((await report(tenant)).body.keys).toEqual([expect.objectContaining({ id: key.id, status: 'disabled', action: 'disabled' })]);

    const again = await runAudit();
    expect(again.result).toMatchObject({ flagged: 0, disabled: 0, failed: 0 });
    expect(await auditEvents(tenant.id, 'key.disabled')).toHaveLength(1);
    expect(await auditEvents(tenant.id, 'key.flagged_unused')).toHaveLength(1);

    // An admin who enables it again is not overruled within the same idle period.
    expect((await api.patch(`/v1/keys/${key.id}`, { enabled: true })).status).toBe(200);
    const afterEnable = await runAudit();
    expect(afterEnable.result).toMatchObject({ flagged: 0, disabled: 0, failed: 0 });
    expect(await statusOf(tenant, key.id)).toBe('active');
    expect((await report(tenant)).body.keys).toEqual([expect.objectContaining({ id: key.id, status: 'active', action: 'disabled' })]);
  });

  it('revoke: revokes idle keys through the revoke path (status revoked, key.revoked announced), once', async () => {
    const tenant = await tenantWithPolicy('revoke');
    const key = await keyOfAge(tenant, 'idle', 60);
    const kept = await keyOfAge(tenant, 'busy', 60, 1);

    const { result } = await runAudit();
    expect(result).toMatchObject({ flagged: 1, disabled: 0, revoked: 1, failed: 0 });
    expect(await statusOf(tenant, key.id)).toBe('revoked');
    expect(await statusOf(tenant, kept.id)).toBe('active');
    expect(await verifyCode(tenant, key.key)).toBe('REVOKED');
    expect((await auditEvents(tenant.id, 'key.flagged_unused')).map((event) => event.target_id)).toEqual([key.id]);
    expect((await auditEvents(tenant.id, 'key.revoked')).map((event) => event.target_id)).toEqual([key.id]);
    expect((await deliveries(tenant.id, 'key.unused')).map((event) => event.data.keyId)).toEqual([key.id]);
    expect((await deliveries(tenant.id, 'key.revoked')).map((event) => event.data)).toEqual([
      { keyId: key.id, ownerId: 'owner-idle', name: 'idle', reason: expect.stringMatching(/unused/) },
    ]);
    expect((await report(tenant)).body.keys).toEqual([expect.objectContaining({ id: key.id, status: 'revoked', action: 'revoked' })]);

    // Revoked, the key is no longer a candidate: nothing more happens to it.
    const again = await runAudit();
    expect(again.result).toMatchObject({ flagged: 0, revoked: 0, failed: 0 });
    expect((await report(tenant)).body.keys).toEqual([]);
    expect(await auditEvents(tenant.id, 'key.revoked')).toHaveLength(1);
    expect(await deliveries(tenant.id, 'key.revoked')).toHaveLength(1);
    expect(await deliveries(tenant.id, 'key.unused')).toHaveLength(1);
  });

  it('a stricter policy within the idle period applies its action once, without a second flag', async () => {
    const tenant = await tenantWithPolicy('report');
    const api = client(admin.url, tenant.admin);
    const key = await keyOfAge(tenant, 'idle', 60);
    expect((await runAudit()).result).toMatchObject({ flagged: 1, disabled: 0 });
    expect(
      (await api.put('/v1/policy', { unusedKeyDays: 30, unusedKeyAction: 'disable', maxKeyLifetimeDays: null, expiryWarningDays: [] }))
        .status,
    ).toBe(200);
    expect((await runAudit()).result).toMatchObject({ flagged: 0, disabled: 1, failed: 0 });
    expect((await runAudit()).result).toMatchObject({ flagged: 0, disabled: 0, failed: 0 });
    expect(await statusOf(tenant, key.id)).toBe('disabled');
    expect(await auditEvents(tenant.id, 'key.flagged_unused')).toHaveLength(1);
    expect(await auditEvents(tenant.id, 'key.disabled')).toHaveLength(1);
    expect(await deliveries(tenant.id, 'key.unused')).toHaveLength(1);
  });

  it('flags each key once however many runs race', async () => {
    const tenant = await tenantWithPolicy('disable');
    const keys = [];
    for (let i = 0; i < 4; i++) keys.push(await keyOfAge(tenant, `racing-${i}`, 60));
    const auditUnusedKeys = worker.app.get(AuditUnusedKeysUseCase, { strict: false });
    const results = await Promise.all([1, 2, 3, 4].map((i) => auditUnusedKeys.execute(`test-race-${i}`)));
    const total = (field: 'flagged' | 'disabled' | 'failed') => results.reduce((sum, result) => sum + result[field], 0);
    expect(total('flagged')).toBe(4);
    expect(total('disabled')).toBe(4);
    expect(total('failed')).toBe(0);
    expect((await auditEvents(tenant.id, 'key.flagged_unused')).map((event) => event.target_id).sort()).toEqual(
      keys.map((key) => key.id).sort(),
    );
    expect(await auditEvents(tenant.id, 'key.disabled')).toHaveLength(4);
    expect(await deliveries(tenant.id, 'key.unused')).toHaveLength(4);
    expect((await client(admin.url, tenant.auditor).get('/v1/audit-events/verify')).body).toMatchObject({ valid: true });
  });

  it('a run failing half-way leaves each key handled or untouched, and the next run handles the rest once', async () => {
    const healthy = await tenantWithPolicy('revoke');
    const failing = await tenantWithPolicy('revoke');
    const healthyKey = await keyOfAge(healthy, 'idle', 60);
    const failingKey = await keyOfAge(failing, 'idle', 60);
    // The failing tenant's key transaction breaks at its last step, the audit events, after the
    // flag, the revocation and the webhooks were written: all of it must roll back.
    await sql(
      'owner',
      `CREATE FUNCTION test_unused_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
    );
    await sql(
      'owner',
      `CREATE TRIGGER test_unused_fail AFTER INSERT ON audit_events FOR EACH ROW WHEN (NEW.tenant_id = '${failing.id}') EXECUTE FUNCTION test_unused_fail()`,
    );
    try {
      const broken = await runAudit();
      expect(broken.result).toMatchObject({ flagged: 1, revoked: 1, failed: 1 });
    } finally {
      await sql('owner', 'DROP TRIGGER test_unused_fail ON audit_events');
      await sql('owner', 'DROP FUNCTION test_unused_fail()');
    }
    expect(await statusOf(healthy, healthyKey.id)).toBe('revoked');
    expect(await statusOf(failing, failingKey.id)).toBe('active');
    expect(await sql('owner', 'SELECT 1 FROM unused_key_flags WHERE key_id = $1', [failingKey.id])).toEqual([]);
    expect(await deliveries(failing.id, 'key.unused')).toEqual([]);
    expect(await deliveries(failing.id, 'key.revoked')).toEqual([]);
    expect(await auditEvents(failing.id, 'key.flagged_unused')).toEqual([]);

    const recovered = await runAudit();
    expect(recovered.result).toMatchObject({ flagged: 1, revoked: 1, failed: 0 });
    expect(await statusOf(failing, failingKey.id)).toBe('revoked');
    for (const [tenant, key] of [
      [healthy, healthyKey],
      [failing, failingKey],
    ] as const) {
      expect((await auditEvents(tenant.id, 'key.flagged_unused')).map((event) => event.target_id)).toEqual([key.id]);
      expect((await auditEvents(tenant.id, 'key.revoked')).map((event) => event.target_id)).toEqual([key.id]);
      expect(await deliveries(tenant.id, 'key.unused')).toHaveLength(1);
      expect(await deliveries(tenant.id, 'key.revoked')).toHaveLength(1);
      expect((await client(admin.url, tenant.auditor).get('/v1/audit-events/verify')).body).toMatchObject({ valid: true });
    }
  });

  it("a tenant's report shows its own keys only; a suspended tenant is audited once resumed", async () => {
    const a = await tenantWithPolicy('report');
    const b = await tenantWithPolicy('revoke');
    const aKey = await keyOfAge(a, 'idle-a', 60);
    const bKey = await keyOfAge(b, 'idle-b', 60);
    expect((await platform().post(`/v1/tenants/${b.id}/suspend`)).status).toBe(200);
    await runAudit();
    expect((await report(a)).body.keys.map((entry: any) => entry.id)).toEqual([aKey.id]);
    // Suspended, B's keys cannot be used, so they would all look idle: B is skipped.
    expect(await sql('owner', 'SELECT 1 FROM unused_key_reports WHERE tenant_id = $1', [b.id])).toEqual([]);
    expect(await sql('owner', 'SELECT 1 FROM unused_key_flags WHERE key_id = $1', [bKey.id])).toEqual([]);

    expect((await platform().post(`/v1/tenants/${b.id}/resume`)).status).toBe(200);
    await runAudit();
    const bReport = await report(b);
    expect(bReport.body.keys.map((entry: any) => entry.id)).toEqual([bKey.id]);
    expect((await report(a)).body.keys.map((entry: any) => entry.id)).toEqual([aKey.id]);
    expect(JSON.stringify((await report(a)).body)).not.toContain(bKey.id);
  });
});
