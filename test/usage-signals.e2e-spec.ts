// Usage signals (docs/api.md, Usage signals; docs/operations.md, the signals job): each signal's
// threshold crossed sends one webhook with its documented data (checked as a receiver would, with the
// Standard Webhooks library), not crossed none, crossed again in the same hour none, and two workers
// running at once one. key.rate_limited, key.usage_spike and key.credits_low come from real
// verifications; key.limit_near and key.new_source from the facts verify's usage flush writes
// (keyward_record_signal_facts, the statement UsageRecorder's flush sends: apps/verify/src/usage-recorder.spec.ts).
// The suite has a database and a Redis prefix of its own: its runs count every signal they find.
import { SendUsageSignalsUseCase } from '@keyward/keys';
import { fixed } from './support/admin-checks';
import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { waitFor } from './support/fault-servers';
import { client } from './support/http-client';
import { jobResult, runJob, startJobRun, startOnDemandJobApps, type OnDemandJobApps } from './support/jobs';
import { createKey } from './support/key-builders';
import { TEST_WEBHOOK_HOST } from './support/test-config';
import { Receiver, verified } from './support/webhook-receiver';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const currentHour = () => new Date(Date.now() - (Date.now() % HOUR_MS));

describe('usage signals', () => {
  const receiver = new Receiver();
  let apps: OnDemandJobApps;
  let admin: OnDemandJobApps['admin'];
  let verify: OnDemandJobApps['verify'];
  let worker: OnDemandJobApps['worker'];
  let secondWorker: OnDemandJobApps['secondWorker'];

  beforeAll(async () => {
    await receiver.start();
    apps = await startOnDemandJobApps('signals');
    ({ admin, verify, worker, secondWorker } = apps);
  }, 60_000);
  afterAll(async () => {
    await apps?.close();
    await receiver.close();
  });

  const runSignals = async () => (await runJob(admin.url, 'signals')).result;

  interface Subscribed {
    tenant: TestTenant;
    hookPath: string;
    secret: string;
  }

  /** A tenant with `policy` (merged into the defaults) and a webhook on the receiver for `type`. */
  async function tenantFor(type: string, policy: Record<string, unknown> = {}): Promise<Subscribed> {
    const tenant = await createTenant(admin.url);
    const api = client(admin.url, tenant.admin);
    const put = await api.put('/v1/policy', {
      unusedKeyDays: null,
      unusedKeyAction: 'report',
      maxKeyLifetimeDays: null,
      expiryWarningDays: [],
      ...policy,
    });
    expect(put.status).toBe(200);
    const hookPath = receiver.path();
    const hook = await api.post('/v1/webhooks', { url: receiver.url(hookPath, TEST_WEBHOOK_HOST), events: [type] });
    expect(hook.status).toBe(201);
    return { tenant, hookPath, secret: hook.body.secret };
  }

  /** The events queued for the tenant's subscribers, in order. */
  const queued = (tenantId: string, type: string) =>
    sql<{ body: string }>('owner', 'SELECT body FROM webhook_deliveries WHERE tenant_id = $1 AND event_type = $2 ORDER BY created_at, id', [
      tenantId,
      type,
    ]).then((rows) => rows.map((row) => JSON.parse(row.body)));

  /** The one delivery the worker made to the receiver, as a receiver checks it (Standard Webhooks). */
  async function deliveredEvent({ hookPath, secret }: Subscribed): Promise<any> {
    const received = await waitFor(
      async () => receiver.at(hookPath),
      (requests) => requests.length > 0,
      15_000,
      100,
    );
    expect(received).toHaveLength(1);
    return verified(secret, received[0]);
  }

  async function verifyTimes(tenant: TestTenant, key: string, times: number, body: Record<string, unknown> = {}): Promise<string[]> {
    const verifier = client(verify.url, tenant.verifier);
    const codes: string[] = [];
    for (let i = 0; i < times; i++) codes.push((await verifier.post('/v1/verify', { key, ...body })).body.code);
    return codes;
  }

  /** Waits for verify's usage flush (every second) to have written `count` answers of the key this hour. */
  async function flushed(keyId: string, count: number): Promise<void> {
    const total = () =>
      sql<{ n: number }>('owner', 'SELECT COALESCE(sum(count), 0)::int AS n FROM key_usage WHERE key_id = $1 AND hour = $2', [
        keyId,
        currentHour(),
      ]).then(([row]) => row.n);
    expect(await waitFor(total, (n) => n >= count, 5_000)).toBe(count);
  }

  /** What verify's usage flush writes for the signals (the same function, one statement). */
  const recordFacts = (facts: {
    peaks?: Array<{ keyId: string; hour: Date; scope: string; name: string; percent: number }>;
    networks?: Array<{ keyId: string; network: string; at: Date }>;
  }) => {
    const peaks = facts.peaks ?? [];
    const networks = facts.networks ?? [];
    return sql(
      'app',
      `SELECT keyward_record_signal_facts($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::smallint[],
                                          $6::uuid[], $7::text[], $8::timestamptz[])`,
      [
        peaks.map((p) => p.keyId),
        peaks.map((p) => p.hour),
        peaks.map((p) => p.scope),
        peaks.map((p) => p.name),
        peaks.map((p) => p.percent),
        networks.map((n) => n.keyId),
        networks.map((n) => n.network),
        networks.map((n) => n.at),
      ],
    );
  };

  /** Past usage of a key, as verify's flushes would have written it: `count` VALID answers in each hour `hoursAgo`. */
  const pastUsage = (tenantId: string, keyId: string, hoursAgo: number[], count: number) =>
    sql(
      'owner',
      `INSERT INTO key_usage (tenant_id, key_id, hour, code, count)
       SELECT $1, $2, date_trunc('hour', now()) - make_interval(hours => h), 'VALID', $4 FROM unnest($3::int[]) AS h`,
      [tenantId, keyId, hoursAgo, count],
    );

  it('key.rate_limited: the first RATE_LIMITED answers of the hour, once, with the count so far', async () => {
    const subscribed = await tenantFor('key.rate_limited');
    const { tenant } = subscribed;
    const key = await createKey(admin.url, tenant.admin, { name: 'limited', ownerId: 'acme', rateLimits: [fixed('key', 2, 3600)] });

    expect(await verifyTimes(tenant, key.key, 2)).toEqual(['VALID', 'VALID']);
    await flushed(key.id, 2);
    expect((await runSignals()).rate_limited).toBe(0);
    expect(await queued(tenant.id, 'key.rate_limited')).toEqual([]);

    expect(await verifyTimes(tenant, key.key, 2)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    await flushed(key.id, 4);
    expect(await runSignals()).toMatchObject({ rate_limited: 1, failed: 0 });
    const hour = currentHour().toISOString();
    expect(await deliveredEvent(subscribed)).toEqual({
      type: 'key.rate_limited',
      timestamp: expect.any(String),
      data: { keyId: key.id, ownerId: 'acme', name: 'limited', hour, count: 2 },
    });

    expect(await verifyTimes(tenant, key.key, 1)).toEqual(['RATE_LIMITED']);
    await flushed(key.id, 5);
    expect((await runSignals()).rate_limited).toBe(0);
    expect(await queued(tenant.id, 'key.rate_limited')).toHaveLength(1);

    // Counted by type on the worker that ran it (either of the two), with no key or tenant in a label.
    const scrapes = await Promise.all([worker, secondWorker].map(async ({ url }) => (await fetch(`${url}/metrics`)).text()));
    const sent = (metrics: string, type: string) =>
      Number(new RegExp(`keyward_signals_total\\{[^}]*type="${type}"[^}]*\\} (\\d+)`).exec(metrics)?.[1]);
    expect(sent(scrapes[0], 'rate_limited') + sent(scrapes[1], 'rate_limited')).toBeGreaterThanOrEqual(1);
    for (const metrics of scrapes) {
      for (const type of ['credits_low', 'limit_near', 'rate_limited', 'usage_spike', 'new_source'])
        expect(sent(metrics, type)).toBeGreaterThanOrEqual(0);
      expect(metrics).not.toContain(key.id);
      expect(metrics).not.toContain(tenant.id);
    }
  }, 30_000);

  it("key.usage_spike: an hour's verifications above spikeFactor times the 7-day hourly average and spikeMinimum", async () => {
    const subscribed = await tenantFor('key.usage_spike', { spikeFactor: 5, spikeMinimum: 5 });
    const { tenant } = subscribed;
    const key = await createKey(admin.url, tenant.admin, { name: 'spiky' });
    // One verification an hour for the 7 days before this hour: an average of 1, so more than 5 is a spike.
    await pastUsage(
      tenant.id,
      key.id,
      Array.from({ length: 168 }, (_, i) => i + 1),
      1,
    );

    await verifyTimes(tenant, key.key, 5);
    await flushed(key.id, 5);
    expect((await runSignals()).usage_spike).toBe(0);

    await verifyTimes(tenant, key.key, 1);
    await flushed(key.id, 6);
    expect((await runSignals()).usage_spike).toBe(1);
    expect(await deliveredEvent(subscribed)).toEqual({
      type: 'key.usage_spike',
      timestamp: expect.any(String),
      data: { keyId: key.id, ownerId: null, name: 'spiky', hour: currentHour().toISOString(), count: 6, averageHourly: 1, spikeFactor: 5 },
    });

    await verifyTimes(tenant, key.key, 20);
    await flushed(key.id, 26);
    expect((await runSignals()).usage_spike).toBe(0);
    expect(await queued(tenant.id, 'key.usage_spike')).toHaveLength(1);
  }, 30_000);

  it('key.usage_spike: none below spikeMinimum, however steep', async () => {
    const { tenant } = await tenantFor('key.usage_spike');
    const key = await createKey(admin.url, tenant.admin, { name: 'quiet' });
    await verifyTimes(tenant, key.key, 20);
    await flushed(key.id, 20);
    expect((await runSignals()).usage_spike).toBe(0);
    expect(await queued(tenant.id, 'key.usage_spike')).toEqual([]);
  }, 30_000);

  it("key.credits_low: a key's balance at creditsLowPercent of its largest balance, once", async () => {
    const subscribed = await tenantFor('key.credits_low', { creditsLowPercent: 20 });
    const { tenant } = subscribed;
    const key = await createKey(admin.url, tenant.admin, { name: 'metered', ownerId: 'acme', remaining: 10 });
    const stored = (remaining: number) =>
      waitFor(
        () => sql('owner', 'SELECT remaining FROM api_keys WHERE id = $1', [key.id]).then(([row]) => Number(row.remaining)),
        (value) => value === remaining,
        5_000,
      );

    await verifyTimes(tenant, key.key, 7);
    expect(await stored(3)).toBe(3);
    await runSignals();
    expect(await queued(tenant.id, 'key.credits_low')).toEqual([]);

    await verifyTimes(tenant, key.key, 1);
    expect(await stored(2)).toBe(2);
    expect((await runSignals()).credits_low).toBeGreaterThanOrEqual(1);
    expect(await deliveredEvent(subscribed)).toEqual({
      type: 'key.credits_low',
      timestamp: expect.any(String),
      data: { scope: 'key', keyId: key.id, ownerId: 'acme', name: 'metered', remaining: 2, reference: 10, thresholdPercent: 20 },
    });

    await verifyTimes(tenant, key.key, 1);
    expect(await stored(1)).toBe(1);
    await runSignals();
    expect(await queued(tenant.id, 'key.credits_low')).toHaveLength(1);
  }, 30_000);

  it("key.credits_low: an owner's pool, against its refill amount", async () => {
    const { tenant } = await tenantFor('key.credits_low', { creditsLowPercent: 50 });
    const api = client(admin.url, tenant.admin);
    const owner = await api.put('/v1/owners/acme', { name: 'Acme', credits: { remaining: 6, refill: { interval: 'daily', amount: 10 } } });
    expect(owner.status).toBe(200);
    const key = await createKey(admin.url, tenant.admin, { name: 'of acme', ownerId: 'acme' });

    await verifyTimes(tenant, key.key, 1);
    await waitFor(
      () => sql('owner', 'SELECT remaining FROM owners WHERE tenant_id = $1', [tenant.id]).then(([row]) => Number(row.remaining)),
      (value) => value === 5,
      5_000,
    );
    await runSignals();
    await runSignals();
    const events = await queued(tenant.id, 'key.credits_low');
    expect(events.map((event) => event.data)).toEqual([
      { scope: 'owner', keyId: null, ownerId: 'acme', name: 'Acme', remaining: 5, reference: 10, thresholdPercent: 50 },
    ]);
  }, 30_000);

  it('key.limit_near: a window at limitNearPercent, once an hour', async () => {
    const subscribed = await tenantFor('key.limit_near', { limitNearPercent: 75 });
    const { tenant } = subscribed;
    const key = await createKey(admin.url, tenant.admin, { name: 'busy', rateLimits: [fixed('key', 100, 60)] });
    const hour = currentHour();

    await recordFacts({ peaks: [{ keyId: key.id, hour, scope: 'key', name: 'key', percent: 74 }] });
    expect((await runSignals()).limit_near).toBe(0);

    await recordFacts({ peaks: [{ keyId: key.id, hour, scope: 'key', name: 'key', percent: 80 }] });
    expect((await runSignals()).limit_near).toBe(1);
    expect(await deliveredEvent(subscribed)).toEqual({
      type: 'key.limit_near',
      timestamp: expect.any(String),
      data: {
        keyId: key.id,
        ownerId: null,
        name: 'busy',
        limit: { name: 'key', scope: 'key' },
        percentUsed: 80,
        thresholdPercent: 75,
        hour: hour.toISOString(),
      },
    });

    await recordFacts({ peaks: [{ keyId: key.id, hour, scope: 'key', name: 'key', percent: 95 }] });
    expect((await runSignals()).limit_near).toBe(0);
    expect(await queued(tenant.id, 'key.limit_near')).toHaveLength(1);
  }, 30_000);

  it('key.new_source: a network new to a key in use for 24 h, only with newSourceSignals', async () => {
    const subscribed = await tenantFor('key.new_source', { newSourceSignals: true });
    const { tenant } = subscribed;
    const key = await createKey(admin.url, tenant.admin, { name: 'travelling' });
    await pastUsage(tenant.id, key.id, [48], 1);
    const now = new Date();
    // A network it was used from two days ago is not new; it learnt it then.
    await recordFacts({ networks: [{ keyId: key.id, network: '203.0.113.0/24', at: new Date(now.getTime() - 2 * DAY_MS) }] });
    await recordFacts({ networks: [{ keyId: key.id, network: '203.0.113.0/24', at: now }] });
    expect((await runSignals()).new_source).toBe(0);

    await recordFacts({ networks: [{ keyId: key.id, network: '198.51.100.0/24', at: now }] });
    expect((await runSignals()).new_source).toBe(1);
    expect(await deliveredEvent(subscribed)).toEqual({
      type: 'key.new_source',
      timestamp: expect.any(String),
      data: { keyId: key.id, ownerId: null, name: 'travelling', network: '198.51.100.0/24', seenAt: now.toISOString() },
    });

    await recordFacts({ networks: [{ keyId: key.id, network: '2001:db8:abcd::/48', at: new Date(now.getTime() + 1) }] });
    expect((await runSignals()).new_source).toBe(0);
    expect(await queued(tenant.id, 'key.new_source')).toHaveLength(1);

    // A key in use for less than 24 h learns its networks; a tenant without newSourceSignals gets none.
    const young = await createKey(admin.url, tenant.admin, { name: 'young' });
    await pastUsage(tenant.id, young.id, [3], 1);
    const off = await tenantFor('key.new_source');
    const quiet = await createKey(admin.url, off.tenant.admin, { name: 'quiet' });
    await pastUsage(off.tenant.id, quiet.id, [48], 1);
    await recordFacts({
      networks: [
        { keyId: young.id, network: '192.0.2.0/24', at: now },
        { keyId: quiet.id, network: '192.0.2.0/24', at: now },
      ],
    });
    expect((await runSignals()).new_source).toBe(0);
    expect(await queued(off.tenant.id, 'key.new_source')).toEqual([]);
  }, 30_000);

  it('sends each signal once when two workers, and four runs in one process, race', async () => {
    const { tenant } = await tenantFor('key.rate_limited');
    const keys = await Promise.all(
      [1, 2, 3].map((i) => createKey(admin.url, tenant.admin, { name: `racing ${i}`, rateLimits: [fixed('key', 1, 3600)] })),
    );
    for (const key of keys) expect(await verifyTimes(tenant, key.key, 2)).toEqual(['VALID', 'RATE_LIMITED']);
    for (const key of keys) await flushed(key.id, 2);

    const jobIds = await Promise.all([startJobRun(admin.url, 'signals'), startJobRun(admin.url, 'signals')]);
    const results = await Promise.all(jobIds.map((jobId) => jobResult(admin.url, jobId)));
    expect(results.reduce((sum, result) => sum + result.rate_limited, 0)).toBe(3);
    expect(results.reduce((sum, result) => sum + result.failed, 0)).toBe(0);

    const more = await createKey(admin.url, tenant.admin, { name: 'racing again', rateLimits: [fixed('key', 1, 3600)] });
    await verifyTimes(tenant, more.key, 2);
    await flushed(more.id, 2);
    const sendSignals = worker.app.get(SendUsageSignalsUseCase, { strict: false });
    const direct = await Promise.all([1, 2, 3, 4].map(() => sendSignals.execute()));
    expect(direct.reduce((sum, result) => sum + result.rate_limited, 0)).toBe(1);
    expect(direct.reduce((sum, result) => sum + result.failed, 0)).toBe(0);
    expect(await queued(tenant.id, 'key.rate_limited')).toHaveLength(4);
  }, 30_000);
});
