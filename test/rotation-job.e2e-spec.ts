import { bullQueuePrefix } from '@keyward/jobs';
import { redisOptionsFromUrl } from '@keyward/platform';
import { Queue } from 'bullmq';
import { createTenant, type TestTenant } from './support/builders';
import { runJob } from './support/jobs';
import { sql } from './support/database';
import { client } from './support/http-client';
import { startAdminApi, startVerify, startWorker, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('scheduled rotation job', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = await startAdminApi();
    verify = await startVerify();
    worker = await startWorker();
    tenant = await createTenant(admin.url);
  }, 60_000);
  afterAll(async () => {
    await worker.close();
    await verify.close();
    await admin.close();
  });

  const platform = () => client(admin.url, TEST_PLATFORM_TOKEN);
  const api = () => client(admin.url, tenant.admin);

  const runRotation = () => runJob(admin.url, 'rotation');

  async function keyWithSchedule(gracePeriodSeconds = 30): Promise<{ id: string; key: string }> {
    const created = await api().post('/v1/keys', {
      name: 'scheduled',
      ownerId: 'svc-1',
      scopes: ['a:*'],
      rotation: { intervalSeconds: 3600, gracePeriodSeconds },
    });
    expect(created.status).toBe(201);
    // Made an hour ago, as far as the schedule is concerned.
    await sql('owner', `UPDATE api_keys SET created_at = now() - interval '3601 seconds' WHERE id = $1`, [created.body.id]);
    return created.body;
  }

  const successorsOf = (keyId: string) => sql<{ id: string }>('owner', 'SELECT id FROM api_keys WHERE previous_key_id = $1', [keyId]);

  it('rotates a due key through the rotation use case, escrows its successor and reveals it once', async () => {
    const hook = await api().post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['key.rotated'] });
    expect(hook.status).toBe(201);
    const old = await keyWithSchedule(30);
    expect((await client(verify.url, tenant.verifier).post('/v1/verify', { key: old.key })).body.code).toBe('VALID');

    const { jobId, result } = await runRotation();
    expect(result.rotated).toBeGreaterThanOrEqual(1);
    const [successor] = await successorsOf(old.id);
    const stored = await api().get(`/v1/keys/${successor.id}`);
    expect(stored.body).toMatchObject({ previousKeyId: old.id, name: 'scheduled', ownerId: 'svc-1', scopes: ['a:*'], status: 'active' });
    const previous = await api().get(`/v1/keys/${old.id}`);
    expect(new Date(previous.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(20_000);
    // The old key works through its grace period.
    expect((await client(verify.url, tenant.verifier).post('/v1/verify', { key: old.key })).body.code).toBe('VALID');

    const revealed = await api().post(`/v1/keys/${successor.id}/reveal`);
    expect(revealed.status).toBe(200);
    expect(revealed.body.id).toBe(successor.id);
    expect(revealed.body.key).toMatch(/^kw_live_[0-9A-Za-z]{38}$/);
    expect(revealed.body.key.startsWith(stored.body.start)).toBe(true);
    expect((await client(verify.url, tenant.verifier).post('/v1/verify', { key: revealed.body.key })).body).toMatchObject({
      code: 'VALID',
      keyId: successor.id,
    });
    const again = await api().post(`/v1/keys/${successor.id}/reveal`);
    expect(again.status).toBe(410);
    expect(again.body.code).toBe('GONE');
    expect(await sql('owner', 'SELECT 1 FROM key_escrows WHERE key_id = $1', [successor.id])).toEqual([]);

    const events = (await api().get('/v1/audit-events?limit=100')).body.data;
    const rotated = events.find((event: any) => event.action === 'key.rotated' && event.target.id === old.id);
    expect(rotated).toMatchObject({
      actor: { type: 'system', id: 'rotation' },
      requestId: `job:${jobId}`,
      ip: null,
      details: { successorKeyId: successor.id, scheduled: true },
    });
    expect(events.some((event: any) => event.action === 'key.revealed' && event.target.id === successor.id)).toBe(true);

    const deliveries = await sql<{ body: string }>(
      'owner',
      `SELECT body FROM webhook_deliveries WHERE event_type = 'key.rotated' AND tenant_id = $1`,
      [tenant.id],
    );
    expect(deliveries.map((row) => JSON.parse(row.body).data.successorKeyId)).toContain(successor.id);
    expect(deliveries.every((row) => !row.body.includes(revealed.body.key))).toBe(true);
  });

  it('makes one successor however many runs race, and nothing on a re-run', async () => {
    const old = await keyWithSchedule();
    const runs = await Promise.all([runRotation(), runRotation(), runRotation()]);
    expect(await successorsOf(old.id)).toHaveLength(1);
    expect(runs.reduce((sum, run) => sum + run.result.rotated, 0)).toBeGreaterThanOrEqual(1);
    const rerun = await runRotation();
    expect(await successorsOf(old.id)).toHaveLength(1);
    expect(rerun.result.rotated).toBe(0);
  });

  it('answers 410 for a key that was never escrowed and 404 for another tenant’s key', async () => {
    const plain = await api().post('/v1/keys', { name: 'manual' });
    expect((await api().post(`/v1/keys/${plain.body.id}/reveal`)).status).toBe(410);
    const other = await createTenant(admin.url);
    const foreign = await client(admin.url, other.admin).post('/v1/keys', { name: 'foreign' });
    expect((await api().post(`/v1/keys/${foreign.body.id}/reveal`)).status).toBe(404);
    expect((await client(admin.url, tenant.auditor).post(`/v1/keys/${plain.body.id}/reveal`)).status).toBe(403);
  });

  it('shows the platform operator every queue with its counts and schedules, and job metrics on the worker', async () => {
    const overview = await platform().get('/v1/jobs');
    expect(overview.status).toBe(200);
    const rotation = overview.body.queues.find((queue: any) => queue.name === 'rotation');
    expect(rotation.counts.completed).toBeGreaterThanOrEqual(1);
    expect(rotation.schedules).toEqual([expect.objectContaining({ id: 'rotation-schedule', everyMs: 60_000 })]);
    expect(overview.body.queues.map((queue: any) => queue.name)).toEqual(
      expect.arrayContaining(['rotation', 'expiry', 'unused-audit', 'webhooks']),
    );
    expect((await api().get('/v1/jobs')).status).toBe(403);
    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    expect(metrics).toMatch(/keyward_job_runs_total\{job="rotation",outcome="completed"[^}]*\} [1-9]/);
    expect(metrics).toContain('keyward_job_duration_seconds_bucket');
  });

  it('serves a queue dashboard page that holds no data, with the latest jobs in GET /v1/jobs', async () => {
    const page = await fetch(`${admin.url}/v1/jobs/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('Keyward queues');
    expect(html).not.toContain(tenant.id);
    const script = await fetch(`${admin.url}/v1/jobs/dashboard.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain("'/v1/jobs'");
    const overview = await platform().get('/v1/jobs');
    const rotation = overview.body.queues.find((queue: any) => queue.name === 'rotation');
    expect(rotation.recent[0]).toMatchObject({ state: 'completed', result: expect.objectContaining({ due: expect.any(Number) }) });
  });

  it('retries a failed job from the dashboard, and only a failed one', async () => {
    const queue = new Queue('rotation', {
      connection: redisOptionsFromUrl(process.env.KEYWARD_TEST_REDIS_URL!),
      prefix: bullQueuePrefix(process.env.KEYWARD_TEST_REDIS_PREFIX!),
    });
    try {
      const bogus = await queue.add('not-a-rotation-job', {}, { jobId: `bogus-${Date.now()}` });
      const failedOnce = async (attempts: number) => {
        for (let i = 0; i < 100; i++) {
          const job = await queue.getJob(bogus.id!);
          if (job && (await job.getState()) === 'failed' && job.attemptsMade >= attempts) return job;
          await sleep(50);
        }
        throw new Error('the bogus job did not fail');
      };
      await failedOnce(1);
      const overview = await platform().get('/v1/jobs');
      const listed = overview.body.queues.find((q: any) => q.name === 'rotation').recent.find((job: any) => job.jobId === bogus.id);
      expect(listed).toMatchObject({ state: 'failed', failedReason: expect.stringContaining('Unknown rotation job') });
      const retried = await platform().post(`/v1/jobs/rotation/${bogus.id}/retry`);
      expect(retried.status).toBe(202);
      const again = await failedOnce(2);
      expect(again.attemptsMade).toBeGreaterThanOrEqual(2);
      const completed = overview.body.queues.find((q: any) => q.name === 'rotation').recent.find((job: any) => job.state === 'completed');
      expect((await platform().post(`/v1/jobs/rotation/${completed.jobId}/retry`)).status).toBe(409);
      expect((await platform().post('/v1/jobs/rotation/no-such-job/retry')).status).toBe(404);
      expect((await platform().post('/v1/jobs/nonsense/x/retry')).status).toBe(404);
      expect((await api().post(`/v1/jobs/rotation/${bogus.id}/retry`)).status).toBe(403);
    } finally {
      await queue.close();
    }
  });

  it('refuses unknown job names and job ids, and callers other than the platform operator', async () => {
    expect((await platform().post('/v1/jobs/nonsense/run')).status).toBe(404);
    expect((await platform().get('/v1/jobs/rotation_00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await platform().get('/v1/jobs/garbage')).status).toBe(404);
    expect((await api().post('/v1/jobs/rotation/run')).status).toBe(403);
  });
});
