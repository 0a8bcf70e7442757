// docs/api.md, "Webhooks" (deliveries): the worker delivers each event to its subscriptions as Standard
// Webhooks says, so a receiver verifies it with the specification's own library; retries with the
// same webhook-id after a failure; checks the URL rules again at delivery time; keeps tenants
// apart; never sends a delivery twice when passes run at once; and GET .../deliveries shows it all.
import { DeliverDueWebhooksUseCase } from '@keyward/webhooks';
import { NOT_LOOPBACK_REASON } from '../libs/webhooks/src/delivery/webhook-sender';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { createTenant, type TestTenant } from './support/builders';
import { sql, useOwnDatabase } from './support/database';
import { client } from './support/http-client';
import { createKey, KEY_SHAPE_ANYWHERE } from './support/key-builders';
import { startAdminApi, startWorker, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN, TEST_WEBHOOK_HOST } from './support/test-config';
import { Receiver, verified } from './support/webhook-receiver';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A name this suite's services resolve to an address that is not loopback. */
const ELSEWHERE_HOST = 'elsewhere.example.test';

/** Polls `probe` until it answers something truthy; fails naming `what` after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => Promise<T> | T, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface DeliveryRow {
  id: string;
  tenant_id: string;
  message_id: string;
  body: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date;
  /** Seconds from the last record to the next attempt. */
  wait_seconds: number;
}

async function deliveriesOf(subscriptionId: string): Promise<DeliveryRow[]> {
  return sql<DeliveryRow>(
    'owner',
    `SELECT *, extract(epoch FROM next_attempt_at - updated_at)::float AS wait_seconds
       FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY created_at, id`,
    [subscriptionId],
  );
}

describe('webhook delivery', () => {
  let dropOwnDatabase: () => Promise<void>;
  let admin: RunningHttpApp;
  let env: Record<string, string>;
  const receiver = new Receiver();

  async function subscribe(tenant: TestTenant, url: string, events = ['key.revoked']): Promise<{ id: string; secret: string }> {
    const created = await client(admin.url, tenant.admin).post('/v1/webhooks', { url, events });
    if (created.status !== 201) throw new Error(`webhook create failed: ${created.status} ${JSON.stringify(created.body)}`);
    return { id: created.body.id, secret: created.body.secret };
  }

  async function revokeNewKey(tenant: TestTenant, reason = 'leaked'): Promise<any> {
    const key = await createKey(admin.url, tenant.admin, { name: `revoked-${randomUUID().slice(0, 8)}` });
    const revoked = await client(admin.url, tenant.admin).post(`/v1/keys/${key.id}/revoke`, { reason });
    if (revoked.status !== 200) throw new Error(`revoke failed: ${revoked.status}`);
    return key;
  }

  beforeAll(async () => {
    // Its own database and Redis prefix: no worker of a suite running alongside takes these
    // deliveries, and the strict worker below is the only one delivering when it runs.
    dropOwnDatabase = await useOwnDatabase();
    env = {
      REDIS_KEY_PREFIX: `${process.env.KEYWARD_TEST_REDIS_PREFIX}webhook-delivery-${randomUUID().slice(0, 8)}:`,
      // As in every test, the test host resolves to 127.0.0.1; here also a name for an address that
      // is not loopback (192.0.2.0/24 is for documentation, routed nowhere), which the sender must refuse.
      KEYWARD_WEBHOOK_HOSTS: `${TEST_WEBHOOK_HOST}=127.0.0.1,${ELSEWHERE_HOST}=192.0.2.1`,
    };
    admin = await startAdminApi({ env });
    await receiver.start();
  });
  afterAll(async () => {
    await admin?.close();
    await receiver.close();
    await dropOwnDatabase?.();
  });

  describe('claiming due deliveries (no worker running)', () => {
    it('hands each due delivery to one claimer only, however many claim at once, and leases it', async () => {
      const tenant = await createTenant(admin.url);
      const webhook = await subscribe(tenant, receiver.url(receiver.path()));
      await sql(
        'owner',
        `INSERT INTO webhook_deliveries (tenant_id, subscription_id, message_id, event_type, body)
         SELECT $1, $2, 'msg_claim_' || g || '_' || $3, 'key.revoked', '{}' FROM generate_series(1, 40) g`,
        [tenant.id, webhook.id, randomUUID().slice(0, 8)],
      );

      // Four app-role connections claim at the same moment, as four workers would.
      const connections = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const connection = new Client({ connectionString: process.env.KEYWARD_TEST_APP_URL });
          await connection.connect();
          return connection;
        }),
      );
      let claims: string[][];
      try {
        claims = await Promise.all(
          connections.map(async (connection) =>
            (await connection.query('SELECT id FROM keyward_claim_webhook_deliveries(15, 60)')).rows.map((row) => row.id as string),
          ),
        );
      } finally {
        await Promise.all(connections.map((connection) => connection.end()));
      }
      const rest = (await sql('app', 'SELECT id FROM keyward_claim_webhook_deliveries(100, 60)')).map((row) => row.id as string);

      const all = [...claims.flat(), ...rest];
      expect(new Set(all).size).toBe(all.length);
      expect(all).toHaveLength(40);
      // Leased: not due again for a minute, so a second claim finds nothing.
      expect(await sql('app', 'SELECT * FROM keyward_claim_webhook_deliveries(100, 60)')).toEqual([]);
      const leases = await deliveriesOf(webhook.id);
      for (const row of leases) expect(row.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 50_000);
      expect(leases.every((row) => row.status === 'pending' && row.attempts === 0)).toBe(true);

      // A lease that ran out (its worker crashed) makes the delivery due again.
      await sql('owner', `UPDATE webhook_deliveries SET next_attempt_at = now() - interval '1 second' WHERE id = $1`, [leases[0].id]);
      expect((await sql('app', 'SELECT id FROM keyward_claim_webhook_deliveries(100, 60)')).map((row) => row.id)).toEqual([leases[0].id]);

      await sql('owner', 'DELETE FROM webhook_deliveries WHERE subscription_id = $1', [webhook.id]);
    });

    it('is the only way across tenants: the app role alone sees no delivery', async () => {
      expect(await sql('app', 'SELECT * FROM webhook_deliveries')).toEqual([]);
      await expect(sql('app', 'DELETE FROM webhook_deliveries')).rejects.toThrow(/permission denied/);
    });
  });

  describe('with two workers', () => {
    let workers: Array<Awaited<ReturnType<typeof startWorker>>> = [];

    afterAll(async () => {
      for (const worker of workers) await worker.close();
    });

    it('sends each delivery once when two workers and extra passes run at the same time', async () => {
      const tenant = await createTenant(admin.url);
      const paths = [receiver.path([200], 50), receiver.path([200], 50), receiver.path([200], 50)];
      const webhooks = [];
      for (const path of paths) webhooks.push(await subscribe(tenant, receiver.url(path)));
      // 20 revocations x 3 subscriptions = 60 deliveries, all due before any worker runs.
      for (let i = 0; i < 20; i++) await revokeNewKey(tenant);

      workers = await Promise.all([startWorker({ env }), startWorker({ env })]);
      const passes = workers.flatMap((worker) => [worker.app.get(DeliverDueWebhooksUseCase), worker.app.get(DeliverDueWebhooksUseCase)]);
      await Promise.all(passes.map((pass) => pass.execute()));

      await waitFor('60 deliveries to succeed', async () => {
        const [row] = await sql(
          'owner',
          `SELECT count(*)::int AS n FROM webhook_deliveries WHERE tenant_id = $1 AND status = 'succeeded'`,
          [tenant.id],
        );
        return row.n === 60;
      });
      await sleep(1500);

      const received = paths.flatMap((path) => receiver.at(path));
      const ids = received.map((request) => request.headers['webhook-id']);
      expect(received).toHaveLength(60);
      expect(new Set(ids).size).toBe(60);
      const [attempts] = await sql('owner', 'SELECT sum(attempts)::int AS n FROM webhook_deliveries WHERE tenant_id = $1', [tenant.id]);
      expect(attempts.n).toBe(60);
      for (const [index, path] of paths.entries()) {
        for (const request of receiver.at(path)) expect(verified(webhooks[index].secret, request).type).toBe('key.revoked');
      }
    }, 60_000);

    it('delivers key.revoked signed as Standard Webhooks, verified by its library as a receiver would', async () => {
      const tenant = await createTenant(admin.url);
      const path = receiver.path();
      const webhook = await subscribe(tenant, receiver.url(path));
      const other = await subscribe(tenant, receiver.url(receiver.path()), ['key.rotated']);

      const key = await revokeNewKey(tenant, 'left the team');
      const [request] = await waitFor('the delivery', () => (receiver.at(path).length ? receiver.at(path) : null));

      const payload = verified(webhook.secret, request);
      expect(payload).toEqual({
        type: 'key.revoked',
        timestamp: expect.any(String),
        data: { keyId: key.id, ownerId: null, name: key.name, reason: 'left the team' },
      });
      expect(new Date(payload.timestamp).toISOString()).toBe(payload.timestamp);
      // Signed with this webhook's secret and no other.
      expect(() => verified(other.secret, request)).toThrow(WebhookVerificationError);
      expect(() => new Webhook(webhook.secret).verify(`${request.body} `, request.headers as Record<string, string>)).toThrow(
        WebhookVerificationError,
      );

      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
      expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);

      // The body as stored, with no secret in it: no key, no signing secret.
      const [row] = await waitFor('the delivery to be recorded', async () => {
        const rows = await deliveriesOf(webhook.id);
        return rows[0]?.status === 'succeeded' ? rows : null;
      });
      expect(request.body).toBe(row.body);
      expect(request.headers['webhook-id']).toBe(row.message_id);
      expect(request.body).not.toMatch(KEY_SHAPE_ANYWHERE);
      expect(request.body).not.toContain(key.key);
      expect(request.body).not.toContain('whsec_');
      expect(request.body).not.toContain(webhook.secret.slice('whsec_'.length));
      expect(row).toMatchObject({ attempts: 1, last_status_code: 200, last_error: null });

      const listed = await client(admin.url, tenant.admin).get(`/v1/webhooks/${webhook.id}/deliveries`);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({
        data: [
          {
            id: row.id,
            eventType: 'key.revoked',
            status: 'succeeded',
            attempts: 1,
            lastStatusCode: 200,
            lastError: null,
            nextAttemptAt: null,
          },
        ],
        nextCursor: null,
      });
      // Only subscribers of the event type get it.
      expect(await deliveriesOf(other.id)).toEqual([]);
    });

    it('retries a receiver that answered 500: the same webhook-id twice, and the log shows both attempts', async () => {
      const tenant = await createTenant(admin.url);
      const path = receiver.path([500, 200]);
      const webhook = await subscribe(tenant, receiver.url(path));
      await revokeNewKey(tenant);

      const [first] = await waitFor('the first attempt to be recorded', async () => {
        const rows = await deliveriesOf(webhook.id);
        return rows[0]?.attempts === 1 ? rows : null;
      });
      expect(first).toMatchObject({ status: 'pending', last_status_code: 500, last_error: 'answered 500' });
      // The first retry within 30 s: 15 s (docs/api.md, Webhooks).
      expect(first.wait_seconds).toBeGreaterThanOrEqual(14);
      expect(first.wait_seconds).toBeLessThanOrEqual(30);
      const pending = await client(admin.url, tenant.admin).get(`/v1/webhooks/${webhook.id}/deliveries`);
      expect(pending.body.data).toEqual([
        {
          id: first.id,
          eventType: 'key.revoked',
          status: 'pending',
          attempts: 1,
          lastStatusCode: 500,
          lastError: 'answered 500',
          nextAttemptAt: first.next_attempt_at.toISOString(),
        },
      ]);

      // The backoff computed, the test brings the retry forward rather than wait 15 s.
      await sql('owner', `UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = $1 AND status = 'pending'`, [first.id]);
      await waitFor('the retry', () => receiver.at(path).length === 2);
      const [row] = await waitFor('the retry to be recorded', async () => {
        const rows = await deliveriesOf(webhook.id);
        return rows[0]?.status === 'succeeded' ? rows : null;
      });

      const [attempt1, attempt2] = receiver.at(path);
      expect(attempt1.headers['webhook-id']).toBe(first.message_id);
      expect(attempt2.headers['webhook-id']).toBe(first.message_id);
      expect(attempt2.body).toBe(attempt1.body);
      expect(verified(webhook.secret, attempt1)).toEqual(verified(webhook.secret, attempt2));
      expect(row).toMatchObject({ attempts: 2, last_status_code: 200, last_error: null });
      const listed = await client(admin.url, tenant.admin).get(`/v1/webhooks/${webhook.id}/deliveries`);
      expect(listed.body.data).toEqual([
        {
          id: first.id,
          eventType: 'key.revoked',
          status: 'succeeded',
          attempts: 2,
          lastStatusCode: 200,
          lastError: null,
          nextAttemptAt: null,
        },
      ]);
    });

    it('counts a receiver that does not answer within 10 s as a failed attempt', async () => {
      const tenant = await createTenant(admin.url);
      const path = receiver.path(['hang']);
      const webhook = await subscribe(tenant, receiver.url(path));
      const revokedAt = Date.now();
      await revokeNewKey(tenant);

      const [row] = await waitFor(
        'the timed-out attempt to be recorded',
        async () => {
          const rows = await deliveriesOf(webhook.id);
          return rows[0]?.attempts === 1 ? rows : null;
        },
        25_000,
      );

      expect(Date.now() - revokedAt).toBeGreaterThanOrEqual(10_000);
      expect(receiver.at(path)).toHaveLength(1);
      expect(row).toMatchObject({ status: 'pending', last_status_code: null, last_error: 'timed out after 10 s' });
    }, 40_000);

    it('marks a delivery failed when an attempt fails 24 hours after the event, and tries no more', async () => {
      const tenant = await createTenant(admin.url);
      const path = receiver.path([503]);
      const webhook = await subscribe(tenant, receiver.url(path));
      await revokeNewKey(tenant);
      const [first] = await waitFor('the first attempt', async () => {
        const rows = await deliveriesOf(webhook.id);
        return rows[0]?.attempts === 1 ? rows : null;
      });
      expect(first.status).toBe('pending');

      // As if the event were 25 hours old, with its retry due now.
      await sql('owner', `UPDATE webhook_deliveries SET created_at = now() - interval '25 hours', next_attempt_at = now() WHERE id = $1`, [
        first.id,
      ]);
      const [row] = await waitFor('the delivery to fail', async () => {
        const rows = await deliveriesOf(webhook.id);
        return rows[0]?.status === 'failed' ? rows : null;
      });

      expect(row).toMatchObject({ attempts: 2, last_status_code: 503, last_error: 'answered 503' });
      const listed = await client(admin.url, tenant.admin).get(`/v1/webhooks/${webhook.id}/deliveries`);
      expect(listed.body.data).toEqual([
        {
          id: first.id,
          eventType: 'key.revoked',
          status: 'failed',
          attempts: 2,
          lastStatusCode: 503,
          lastError: 'answered 503',
          nextAttemptAt: null,
        },
      ]);
      await sql('owner', `UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = $1`, [first.id]);
      await sleep(2000);
      expect(receiver.at(path)).toHaveLength(2);
    });

    it("never delivers tenant A's events to tenant B's subscription, nor shows B A's deliveries", async () => {
      const [a, b] = await Promise.all([createTenant(admin.url), createTenant(admin.url)]);
      const pathA = receiver.path();
      const pathB = receiver.path();
      const webhookA = await subscribe(a, receiver.url(pathA));
      const webhookB = await subscribe(b, receiver.url(pathB));

      const key = await revokeNewKey(a);
      const [request] = await waitFor("A's delivery", () => (receiver.at(pathA).length ? receiver.at(pathA) : null));
      await sleep(1500);

      expect(verified(webhookA.secret, request).data.keyId).toBe(key.id);
      expect(receiver.at(pathB)).toEqual([]);
      expect(await deliveriesOf(webhookB.id)).toEqual([]);
      const [row] = await deliveriesOf(webhookA.id);
      expect(row.tenant_id).toBe(a.id);
      expect((await client(admin.url, b.admin).get(`/v1/webhooks/${webhookB.id}/deliveries`)).body).toEqual({ data: [], nextCursor: null });
      for (const [tenant, webhookId] of [
        [b, webhookA.id],
        [a, webhookB.id],
      ] as const) {
        const refused = await client(admin.url, tenant.admin).get(`/v1/webhooks/${webhookId}/deliveries`);
        expect(refused.status).toBe(404);
        expect(refused.body.code).toBe('NOT_FOUND');
      }
    });

    it('drops the deliveries of a deleted webhook with it, and sends them no more', async () => {
      const tenant = await createTenant(admin.url);
      const path = receiver.path([500]);
      const webhook = await subscribe(tenant, receiver.url(path));
      await revokeNewKey(tenant);
      await waitFor('the first attempt', async () => (await deliveriesOf(webhook.id))[0]?.attempts === 1);

      expect((await client(admin.url, tenant.admin).delete(`/v1/webhooks/${webhook.id}`)).status).toBe(204);

      expect(await deliveriesOf(webhook.id)).toEqual([]);
      await sleep(1500);
      expect(receiver.at(path)).toHaveLength(1);
    });

    it('records a delivery it cannot sign as a failed attempt and goes on delivering the others', async () => {
      const tenant = await createTenant(admin.url);
      const brokenPath = receiver.path();
      const goodPath = receiver.path();
      const broken = await subscribe(tenant, receiver.url(brokenPath));
      const good = await subscribe(tenant, receiver.url(goodPath));
      // A sealed secret that no longer opens (say, another deployment's encryption key).
      await sql('owner', `UPDATE webhook_subscriptions SET sealed_secret = '\\x01deadbeef'::bytea WHERE id = $1`, [broken.id]);

      await revokeNewKey(tenant);
      await revokeNewKey(tenant);

      await waitFor('both good deliveries', () => receiver.at(goodPath).length === 2);
      const rows = await waitFor('the broken ones to be recorded', async () => {
        const found = await deliveriesOf(broken.id);
        return found.length === 2 && found.every((row) => row.attempts === 1) ? found : null;
      });
      for (const row of rows)
        expect(row).toMatchObject({ status: 'pending', last_status_code: null, last_error: 'the signing secret could not be opened' });
      expect(receiver.at(brokenPath)).toEqual([]);
      for (const request of receiver.at(goodPath)) expect(verified(good.secret, request).type).toBe('key.revoked');
    });

    it("shows the attempts above by outcome, and their duration, on the workers' /metrics", async () => {
      const texts = await Promise.all(workers.map(async (worker) => (await fetch(`${worker.url}/metrics`)).text()));
      const total = (pattern: RegExp) =>
        texts.reduce((sum, text) => sum + [...text.matchAll(pattern)].reduce((s, match) => s + Number(match[1]), 0), 0);

      expect(total(/^keyward_webhook_delivery_attempts_total\{[^}]*outcome="succeeded"[^}]*\} (\d+)/gm)).toBeGreaterThanOrEqual(60);
      expect(total(/^keyward_webhook_delivery_attempts_total\{[^}]*outcome="http_error"[^}]*\} (\d+)/gm)).toBeGreaterThanOrEqual(3);
      expect(total(/^keyward_webhook_delivery_attempts_total\{[^}]*outcome="unreachable"[^}]*\} (\d+)/gm)).toBeGreaterThanOrEqual(1);
      expect(total(/^keyward_webhook_delivery_attempts_total\{[^}]*outcome="error"[^}]*\} (\d+)/gm)).toBeGreaterThanOrEqual(2);
      expect(total(/^keyward_webhook_deliveries_failed_total\{[^}]*\} (\d+)/gm)).toBeGreaterThanOrEqual(1);
      expect(total(/^keyward_webhook_delivery_duration_seconds_count\{[^}]*outcome="succeeded"[^}]*\} (\d+)/gm)).toBeGreaterThanOrEqual(60);
      expect(total(/^keyward_job_runs_total\{[^}]*job="webhooks"[^}]*outcome="completed"[^}]*\} (\d+)/gm)).toBeGreaterThan(0);
    });
  });

  describe('GET /v1/webhooks/{id}/deliveries', () => {
    let tenant: TestTenant;
    let webhookId: string;

    beforeAll(async () => {
      tenant = await createTenant(admin.url);
      // No worker runs now: the deliveries stay pending.
      webhookId = (await subscribe(tenant, receiver.url(receiver.path()))).id;
      for (let i = 0; i < 5; i++) await revokeNewKey(tenant);
    });

    it('pages oldest first with limit and cursor, each delivery once', async () => {
      const stored = (await deliveriesOf(webhookId)).map((row) => row.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: any = await client(admin.url, tenant.admin).get(
          `/v1/webhooks/${webhookId}/deliveries?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.status).toBe(200);
        for (const delivery of page.body.data) {
          expect(delivery).toEqual({
            id: expect.any(String),
            eventType: 'key.revoked',
            status: 'pending',
            attempts: 0,
            lastStatusCode: null,
            lastError: null,
            nextAttemptAt: expect.any(String),
          });
        }
        seen.push(...page.body.data.map((delivery: { id: string }) => delivery.id));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor !== null && pages < 10);

      expect(pages).toBe(3);
      expect(stored).toHaveLength(5);
      expect(seen).toEqual(stored);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['cursor=bogus', 'cursor'],
    ])('refuses %s with 400 naming the field', async (query, field) => {
      const refused = await client(admin.url, tenant.admin).get(`/v1/webhooks/${webhookId}/deliveries?${query}`);

      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it.each(['not-a-uuid', '00000000-0000-4000-8000-000000000000'])('answers 404 NOT_FOUND for the webhook id %s', async (id) => {
      const refused = await client(admin.url, tenant.admin).get(`/v1/webhooks/${id}/deliveries`);

      expect(refused.status).toBe(404);
      expect(refused.body.code).toBe('NOT_FOUND');
    });

    it('refuses auditors, verifiers and the platform operator with 403, and no token with 401', async () => {
      for (const token of [tenant.auditor, tenant.verifier, TEST_PLATFORM_TOKEN]) {
        const refused = await client(admin.url, token).get(`/v1/webhooks/${webhookId}/deliveries`);
        expect(refused.status).toBe(403);
        expect(refused.body.code).toBe('FORBIDDEN');
      }
      expect((await client(admin.url).get(`/v1/webhooks/${webhookId}/deliveries`)).status).toBe(401);
    });

    it('is documented in the OpenAPI document with the contract fields', async () => {
      const document = (await client(admin.url).get('/openapi.json')).body;

      const operation = document.paths['/v1/webhooks/{webhookId}/deliveries'].get;
      const page = operation.responses['200'].content['application/json'].schema.$ref.split('/').pop();
      const item = document.components.schemas[page].properties.data.items.$ref.split('/').pop();
      expect(Object.keys(document.components.schemas[item].properties).sort()).toEqual([
        'attempts',
        'eventType',
        'id',
        'lastError',
        'lastStatusCode',
        'nextAttemptAt',
        'status',
      ]);
      expect(document.components.schemas[item].properties.status.enum).toEqual(['pending', 'succeeded', 'failed']);
    });
  });

  describe('where the worker does not allow private addresses', () => {
    let strict: Awaited<ReturnType<typeof startWorker>>;
    let tenant: TestTenant;
    const paths = { name: '', literal: '' };
    const webhooks = { name: { id: '', secret: '' }, literal: { id: '', secret: '' } };

    beforeAll(async () => {
      tenant = await createTenant(admin.url);
      paths.name = receiver.path();
      paths.literal = receiver.path();
      // Accepted when made (this admin API allows private addresses), refused when delivered.
      webhooks.name = await subscribe(tenant, receiver.url(paths.name, 'localhost'));
      webhooks.literal = await subscribe(tenant, receiver.url(paths.literal));
      strict = await startWorker({ env: { ...env, KEYWARD_WEBHOOK_ALLOW_PRIVATE: '0' } });
    });
    afterAll(async () => {
      await strict?.close();
    });

    it('refuses to deliver to a URL that resolves to a loopback address: nothing reaches it, the attempt says why', async () => {
      await revokeNewKey(tenant);

      for (const webhook of [webhooks.name, webhooks.literal]) {
        const [row] = await waitFor('the refused attempt to be recorded', async () => {
          const rows = await deliveriesOf(webhook.id);
          return rows[0]?.attempts === 1 ? rows : null;
        });
        expect(row).toMatchObject({
          status: 'pending',
          last_status_code: null,
          last_error: 'URL refused: must not resolve to a non-public address (loopback)',
        });
        // A refusal is a failed attempt like any other: retried after the backoff.
        expect(row.wait_seconds).toBeGreaterThanOrEqual(14);
        const listed = await client(admin.url, tenant.admin).get(`/v1/webhooks/${webhook.id}/deliveries`);
        // The reason is in the delivery log the tenant reads, not only in the table.
        expect(listed.body.data).toEqual([
          {
            id: row.id,
            eventType: 'key.revoked',
            status: 'pending',
            attempts: 1,
            lastStatusCode: null,
            lastError: 'URL refused: must not resolve to a non-public address (loopback)',
            nextAttemptAt: expect.any(String),
          },
        ]);
      }
      expect(receiver.at(paths.name)).toEqual([]);
      expect(receiver.at(paths.literal)).toEqual([]);
      const metrics = await (await fetch(`${strict.url}/metrics`)).text();
      expect(metrics).toMatch(/^keyward_webhook_delivery_attempts_total\{[^}]*outcome="refused"[^}]*\} [1-9]/m);
    });
  });
  describe('where the sender is confined to loopback (KEYWARD_WEBHOOK_LOOPBACK_ONLY, every test)', () => {
    let worker: Awaited<ReturnType<typeof startWorker>>;
    let tenant: TestTenant;
    const paths = { named: '' };
    const webhooks: Record<'named' | 'elsewhere' | 'literal', { id: string; secret: string }> = {
      named: { id: '', secret: '' },
      elsewhere: { id: '', secret: '' },
      literal: { id: '', secret: '' },
    };

    beforeAll(async () => {
      tenant = await createTenant(admin.url);
      paths.named = receiver.path();
      // Accepted when made (this admin API allows private addresses); the worker decides at the socket.
      webhooks.named = await subscribe(tenant, receiver.url(paths.named, TEST_WEBHOOK_HOST));
      webhooks.elsewhere = await subscribe(tenant, `http://${ELSEWHERE_HOST}:9/in`);
      webhooks.literal = await subscribe(tenant, 'http://192.0.2.2:9/in');
      worker = await startWorker({ env });
    });
    afterAll(async () => {
      await worker?.close();
    });

    it('delivers to the test host name, which resolves to 127.0.0.1, and refuses the others at the socket, saying why', async () => {
      await revokeNewKey(tenant);

      const [request] = await waitFor('the delivery to the test host', () =>
        receiver.at(paths.named).length ? receiver.at(paths.named) : null,
      );
      expect(request.headers.host).toBe(`${TEST_WEBHOOK_HOST}:${receiver.port}`);
      expect(verified(webhooks.named.secret, request).type).toBe('key.revoked');

      for (const webhook of [webhooks.elsewhere, webhooks.literal]) {
        const [row] = await waitFor('the refused attempt to be recorded', async () => {
          const rows = await deliveriesOf(webhook.id);
          return rows[0]?.attempts === 1 ? rows : null;
        });
        expect(row).toMatchObject({ status: 'pending', last_status_code: null, last_error: NOT_LOOPBACK_REASON });
        const listed = await client(admin.url, tenant.admin).get(`/v1/webhooks/${webhook.id}/deliveries`);
        expect(listed.body.data).toEqual([
          {
            id: row.id,
            eventType: 'key.revoked',
            status: 'pending',
            attempts: 1,
            lastStatusCode: null,
            lastError: NOT_LOOPBACK_REASON,
            nextAttemptAt: expect.any(String),
          },
        ]);
      }
      const metrics = await (await fetch(`${worker.url}/metrics`)).text();
      expect(metrics).toMatch(/^keyward_webhook_delivery_attempts_total\{[^}]*outcome="refused"[^}]*\} [2-9]/m);
    });
  });
});
