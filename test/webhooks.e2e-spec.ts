// docs/api.md, "Webhooks" (subscriptions): create with a signing secret shown once and stored sealed,
// list, delete; URL rules (https, no private addresses unless the deployment allows them); admins
// only; each tenant sees and deletes its own; every change audited without the secret.
import { SecretBox } from '@keyward/platform';
import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client, type TestResponse } from './support/http-client';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN, TEST_WEBHOOK_HOST, testConfig } from './support/test-config';

const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/**
 * A valid URL: its name resolves to 127.0.0.1 in tests (KEYWARD_WEBHOOK_HOSTS), and the sender of
 * any worker refuses every address that is not loopback (KEYWARD_WEBHOOK_LOOPBACK_ONLY), so nothing
 * subscribed here can be delivered off the machine.
 */
const HOOK_URL = `https://${TEST_WEBHOOK_HOST}/hook`;
/**
 * For the strict app only, which refuses loopback: a name it resolves to a public address (the
 * URL rules must accept one). Only URL checks see it: the admin API never connects, and a worker's
 * sender would refuse it at the socket (test/webhook-delivery.e2e-spec.ts).
 */
const PUBLIC_HOST = 'public.example.test';
const PUBLIC_URL = `https://${PUBLIC_HOST}/hook`;

function fieldsOf(response: TestResponse): string[] {
  return (response.body.errors ?? []).map((error: { field: string }) => error.field);
}

async function storedRows(tenantId: string): Promise<Array<{ id: string; url: string; events: string[]; sealed_secret: Buffer }>> {
  return sql('owner', 'SELECT * FROM webhook_subscriptions WHERE tenant_id = $1 ORDER BY created_at, id', [tenantId]);
}

async function auditCount(tenantId: string): Promise<number> {
  const [row] = await sql<{ n: number }>('owner', 'SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1', [tenantId]);
  return row.n;
}

async function exportText(url: string, token: string): Promise<string> {
  const response = await fetch(`${url}/v1/audit-events/export?format=ndjson`, { headers: { authorization: `Bearer ${token}` } });
  return response.text();
}

// The apps live until the end of the file: apps in one process share passport's global strategy
// registry, so closing one early would break the others' authentication.
describe('webhooks', () => {
  /** As in tests and embedded mode: http and private addresses allowed. */
  let admin: RunningHttpApp;
  /** As in production: https to public addresses only. */
  let strict: RunningHttpApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = await startAdminApi();
    strict = await startAdminApi({
      env: {
        KEYWARD_WEBHOOK_ALLOW_PRIVATE: '0',
        KEYWARD_WEBHOOK_ALLOW_HTTP: '0',
        KEYWARD_WEBHOOK_HOSTS: `${TEST_WEBHOOK_HOST}=127.0.0.1,${PUBLIC_HOST}=93.184.216.34`,
      },
    });
    tenant = await createTenant(admin.url);
  });
  afterAll(async () => {
    await strict.close();
    await admin.close();
  });

  describe('POST /v1/webhooks', () => {
    it('answers 201 {id, url, events, secret, createdAt} with a Standard Webhooks secret', async () => {
      const created = await client(admin.url, tenant.admin).post('/v1/webhooks', {
        url: HOOK_URL,
        events: ['key.expiring', 'key.revoked'],
      });

      expect(created.status).toBe(201);
      expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'events', 'id', 'secret', 'url']);
      expect(created.body).toMatchObject({ id: expect.stringMatching(UUID), url: HOOK_URL, events: ['key.expiring', 'key.revoked'] });
      expect(created.body.secret).toMatch(SECRET);
      expect(Buffer.from(created.body.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
      expect(new Date(created.body.createdAt).toISOString()).toBe(created.body.createdAt);
    });

    it('gives every webhook its own secret', async () => {
      const secrets = new Set<string>();
      for (let i = 0; i < 3; i++)
        secrets.add((await client(admin.url, tenant.admin).post('/v1/webhooks', { url: HOOK_URL, events: ['key.unused'] })).body.secret);

      expect(secrets.size).toBe(3);
    });

    it('accepts every event type of the contract at once', async () => {
      const events = ['key.expiring', 'key.expired', 'key.rotated', 'key.revoked', 'key.unused'];

      const created = await client(admin.url, tenant.admin).post('/v1/webhooks', { url: HOOK_URL, events });

      expect(created.status).toBe(201);
      expect(created.body.events).toEqual(events);
    });

    it('answers the URL as the URL parser normalises it', async () => {
      // localhost: a name that resolves without a network (the tests allow private addresses).
      const created = await client(admin.url, tenant.admin).post('/v1/webhooks', { url: 'HTTPS://LocalHost:443', events: ['key.rotated'] });

      expect(created.status).toBe(201);
      expect(created.body.url).toBe('https://localhost/');
    });

    it('shows the secret in the create response only, and stores it sealed, not in plaintext', async () => {
      const api = client(admin.url, tenant.admin);
      const created = await api.post('/v1/webhooks', { url: HOOK_URL, events: ['key.expired'] });
      const secret: string = created.body.secret;
      const signingKey = Buffer.from(secret.slice('whsec_'.length), 'base64');

      const listed = await api.get('/v1/webhooks?limit=100');
      const mine = listed.body.data.find((webhook: { id: string }) => webhook.id === created.body.id);
      expect(Object.keys(mine).sort()).toEqual(['createdAt', 'events', 'id', 'url']);
      expect(JSON.stringify(listed.body)).not.toContain(secret.slice('whsec_'.length));

      const [row] = await sql('owner', 'SELECT * FROM webhook_subscriptions WHERE id = $1', [created.body.id]);
      expect(Object.keys(row).sort()).toEqual(['created_at', 'events', 'id', 'sealed_secret', 'tenant_id', 'url']);
      expect(row.sealed_secret.includes(Buffer.from(secret, 'utf8'))).toBe(false);
      expect(row.sealed_secret.includes(signingKey)).toBe(false);
      expect(row.sealed_secret.toString('latin1')).not.toContain(secret.slice('whsec_'.length, 20));
      expect(JSON.stringify(row)).not.toContain(secret.slice('whsec_'.length));

      // Sealed with the deployment's encryption key, for this webhook's row and no other.
      const box = new SecretBox(testConfig().encryptionKey);
      expect(box.open(row.sealed_secret, `webhook:${created.body.id}`).toString('utf8')).toBe(secret);
      expect(() => box.open(row.sealed_secret, `webhook:${tenant.id}`)).toThrow();
    });
  });

  describe('GET /v1/webhooks', () => {
    it('pages oldest first with limit and cursor, each webhook once', async () => {
      const own = await createTenant(admin.url);
      const api = client(admin.url, own.admin);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await api.post('/v1/webhooks', { url: `${HOOK_URL}/${i}`, events: ['key.revoked'] })).body.id);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: TestResponse = await api.get(`/v1/webhooks?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.data.map((webhook: { id: string }) => webhook.id));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor !== null && pages < 10);

      expect(pages).toBe(3);
      expect(seen).toEqual(ids);
    });

    it('answers an empty page for a tenant without webhooks', async () => {
      const own = await createTenant(admin.url);

      const listed = await client(admin.url, own.admin).get('/v1/webhooks');

      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({ data: [], nextCursor: null });
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['cursor=bogus', 'cursor'],
    ])('refuses %s with 400 naming the field', async (query, field) => {
      const refused = await client(admin.url, tenant.admin).get(`/v1/webhooks?${query}`);

      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(refused)).toContain(field);
    });
  });

  describe('DELETE /v1/webhooks/{id}', () => {
    it('answers 204, then 404 for the same id', async () => {
      const api = client(admin.url, tenant.admin);
      const created = await api.post('/v1/webhooks', { url: HOOK_URL, events: ['key.rotated'] });

      const deleted = await api.delete(`/v1/webhooks/${created.body.id}`);
      const again = await api.delete(`/v1/webhooks/${created.body.id}`);

      expect(deleted.status).toBe(204);
      expect(deleted.body).toBeUndefined();
      expect(again.status).toBe(404);
      expect(again.body.code).toBe('NOT_FOUND');
      const listed = await api.get('/v1/webhooks?limit=100');
      expect(listed.body.data.map((webhook: { id: string }) => webhook.id)).not.toContain(created.body.id);
      expect(await sql('owner', 'SELECT 1 FROM webhook_subscriptions WHERE id = $1', [created.body.id])).toEqual([]);
    });

    it.each(['not-a-uuid', '00000000-0000-4000-8000-000000000000'])('answers 404 NOT_FOUND for the id %s', async (id) => {
      const refused = await client(admin.url, tenant.admin).delete(`/v1/webhooks/${id}`);

      expect(refused.status).toBe(404);
      expect(refused.body.code).toBe('NOT_FOUND');
    });
  });

  describe('validation', () => {
    it.each([
      ['a URL that is no URL', { url: 'not a url', events: ['key.revoked'] }, 'url'],
      ['a URL that is not a string', { url: 42, events: ['key.revoked'] }, 'url'],
      ['a missing URL', { events: ['key.revoked'] }, 'url'],
      ['an ftp URL', { url: `ftp://${TEST_WEBHOOK_HOST}/x`, events: ['key.revoked'] }, 'url'],
      ['a URL with credentials', { url: `https://user:pass@${TEST_WEBHOOK_HOST}/x`, events: ['key.revoked'] }, 'url'],
      ['port 0 on an address', { url: 'http://1.1.1.1:0/', events: ['key.revoked'] }, 'url'],
      ['port 0 on a name', { url: `https://${TEST_WEBHOOK_HOST}:0/x`, events: ['key.revoked'] }, 'url'],
      ['a URL with NUL in it', { url: `https://${TEST_WEBHOOK_HOST}/\u0000`, events: ['key.revoked'] }, 'url'],
      ['a URL over 2048 characters', { url: `${HOOK_URL}/${'a'.repeat(2048)}`, events: ['key.revoked'] }, 'url'],
      ['empty events', { url: HOOK_URL, events: [] }, 'events'],
      ['missing events', { url: HOOK_URL }, 'events'],
      ['events that are not an array', { url: HOOK_URL, events: 'key.revoked' }, 'events'],
      ['an unknown event type', { url: HOOK_URL, events: ['key.revoked', 'key.created'] }, 'events'],
      ['an event type that is not a string', { url: HOOK_URL, events: [7] }, 'events'],
      ['a repeated event type', { url: HOOK_URL, events: ['key.revoked', 'key.revoked'] }, 'events'],
      ['over 20 event types', { url: HOOK_URL, events: Array.from({ length: 21 }, () => 'key.revoked') }, 'events'],
      ['an unknown field', { url: HOOK_URL, events: ['key.revoked'], secret: 'whsec_mine' }, 'secret'],
    ])('refuses %s with 400 naming the field, and writes nothing', async (_case, body, field) => {
      const rowsBefore = (await storedRows(tenant.id)).length;
      const eventsBefore = await auditCount(tenant.id);

      const refused = await client(admin.url, tenant.admin).post('/v1/webhooks', body);

      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(refused)).toContain(field);
      expect((await storedRows(tenant.id)).length).toBe(rowsBefore);
      expect(await auditCount(tenant.id)).toBe(eventsBefore);
    });

    it('accepts http and private addresses where the deployment allows them (tests, embedded mode)', async () => {
      for (const url of ['http://127.0.0.1:9/hook', `http://${TEST_WEBHOOK_HOST}:8080/in`, 'http://localhost:8080/in', 'https://[::1]/x']) {
        const created = await client(admin.url, tenant.admin).post('/v1/webhooks', { url, events: ['key.revoked'] });
        expect([url, created.status]).toEqual([url, 201]);
      }
    });

    describe('where neither http nor private addresses are allowed', () => {
      let strictTenant: TestTenant;
      beforeAll(async () => {
        strictTenant = await createTenant(strict.url);
      });

      it.each([
        ['http', `http://${PUBLIC_HOST}/x`, /https/],
        ['a test name that resolves to loopback', `https://${TEST_WEBHOOK_HOST}/x`, /loopback/],
        ['port 0', `https://${PUBLIC_HOST}:0/x`, /port 0/],
        ['IPv4 loopback', 'https://127.0.0.1/x', /loopback/],
        ['a private address', 'https://10.0.0.5/x', /private/],
        ['IPv6 loopback', 'https://[::1]/x', /loopback/],
        ['an IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/x', /loopback/],
        ['cloud metadata', 'https://169.254.169.254/latest/meta-data', /link-local/],
        ['localhost', 'https://localhost/x', /loopback|does not resolve/],
      ])('refuses %s with 400 naming url, and writes nothing', async (_case, url, message) => {
        const eventsBefore = await auditCount(strictTenant.id);

        const refused = await client(strict.url, strictTenant.admin).post('/v1/webhooks', { url, events: ['key.revoked'] });

        expect(refused.status).toBe(400);
        expect(refused.body.errors).toEqual([{ field: 'url', message: expect.stringMatching(message) }]);
        expect(await storedRows(strictTenant.id)).toEqual([]);
        expect(await auditCount(strictTenant.id)).toBe(eventsBefore);
      });

      it('accepts https to a public address', async () => {
        const created = await client(strict.url, strictTenant.admin).post('/v1/webhooks', { url: PUBLIC_URL, events: ['key.revoked'] });

        expect(created.status).toBe(201);
        expect(created.body.url).toBe(PUBLIC_URL);
      });
    });
  });

  describe('access', () => {
    const CALLS = [
      ['POST /v1/webhooks', (token: string) => client(admin.url, token).post('/v1/webhooks', { url: HOOK_URL, events: ['key.revoked'] })],
      ['GET /v1/webhooks', (token: string) => client(admin.url, token).get('/v1/webhooks')],
      [
        'DELETE /v1/webhooks/{id}',
        async (token: string) => {
          const created = await client(admin.url, tenant.admin).post('/v1/webhooks', { url: HOOK_URL, events: ['key.revoked'] });
          return client(admin.url, token).delete(`/v1/webhooks/${created.body.id}`);
        },
      ],
    ] as const;

    it.each(CALLS)('refuses %s to auditors, verifiers and the platform operator with 403, and to no token with 401', async (name, call) => {
      const rowsBefore = (await storedRows(tenant.id)).length;

      for (const token of [tenant.auditor, tenant.verifier, TEST_PLATFORM_TOKEN]) {
        const refused = await call(token);
        expect(refused.status).toBe(403);
        expect(refused.body.code).toBe('FORBIDDEN');
      }
      const anonymous = await call('');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);

      // Nothing created or deleted by the refused calls (DELETE's own setup adds one per call).
      const added = name.startsWith('DELETE') ? 4 : 0;
      expect((await storedRows(tenant.id)).length).toBe(rowsBefore + added);
    });

    it("keeps tenants apart: another tenant's webhook is neither listed nor deletable (404)", async () => {
      const [a, b] = await Promise.all([createTenant(admin.url), createTenant(admin.url)]);
      const ofB = await client(admin.url, b.admin).post('/v1/webhooks', { url: HOOK_URL, events: ['key.revoked'] });

      const listedByA = await client(admin.url, a.admin).get('/v1/webhooks');
      const deletedByA = await client(admin.url, a.admin).delete(`/v1/webhooks/${ofB.body.id}`);

      expect(listedByA.body.data).toEqual([]);
      expect(deletedByA.status).toBe(404);
      expect(deletedByA.body.code).toBe('NOT_FOUND');
      const listedByB = await client(admin.url, b.admin).get('/v1/webhooks');
      expect(listedByB.body.data.map((webhook: { id: string }) => webhook.id)).toEqual([ofB.body.id]);
      expect(await auditCount(a.id)).toBe(4);
    });

    it("row-level security hides every tenant's webhooks from the app role without a tenant", async () => {
      await client(admin.url, tenant.admin).post('/v1/webhooks', { url: HOOK_URL, events: ['key.revoked'] });

      expect(await sql('app', 'SELECT * FROM webhook_subscriptions')).toEqual([]);
      await expect(sql('app', 'UPDATE webhook_subscriptions SET url = $1', ['https://evil.example/'])).rejects.toThrow(/permission denied/);
    });
  });

  it('documents the three routes in the OpenAPI document', async () => {
    const document = (await client(admin.url).get('/openapi.json')).body;

    expect(Object.keys(document.paths['/v1/webhooks']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(document.paths['/v1/webhooks/{webhookId}'])).toEqual(['delete']);
    const created = document.paths['/v1/webhooks'].post.responses['201'].content['application/json'].schema.$ref.split('/').pop();
    expect(Object.keys(document.components.schemas[created].properties).sort()).toEqual(['createdAt', 'events', 'id', 'secret', 'url']);
    const body = document.paths['/v1/webhooks'].post.requestBody.content['application/json'].schema.$ref.split('/').pop();
    expect(document.components.schemas[body].required.sort()).toEqual(['events', 'url']);
    expect(document.components.schemas[body].properties.events.items.enum).toEqual([
      'key.expiring',
      'key.expired',
      'key.rotated',
      'key.revoked',
      'key.unused',
      'key.leaked',
      'key.credits_low',
      'key.limit_near',
      'key.rate_limited',
      'key.usage_spike',
      'key.new_source',
    ]);
  });

  describe('audit', () => {
    it('records webhook.created and webhook.deleted with url and events, and never the secret', async () => {
      const own = await createTenant(admin.url);
      const api = client(admin.url, own.admin);
      const created = await api.post(
        '/v1/webhooks',
        { url: HOOK_URL, events: ['key.expiring', 'key.unused'] },
        { headers: { 'x-request-id': 'req-webhook-1' } },
      );
      await api.delete(`/v1/webhooks/${created.body.id}`);

      const events = (await client(admin.url, own.auditor).get('/v1/audit-events')).body.data;
      const [createdEvent] = events.filter((event: { action: string }) => event.action === 'webhook.created');
      const [deletedEvent] = events.filter((event: { action: string }) => event.action === 'webhook.deleted');
      const expectedDetails = { url: HOOK_URL, events: ['key.expiring', 'key.unused'] };
      expect(createdEvent).toMatchObject({
        actor: { type: 'credential' },
        target: { type: 'webhook', id: created.body.id },
        requestId: 'req-webhook-1',
        details: expectedDetails,
      });
      expect(createdEvent.details).toEqual(expectedDetails);
      expect(deletedEvent).toMatchObject({ target: { type: 'webhook', id: created.body.id }, details: expectedDetails });

      const exported = await exportText(admin.url, own.auditor);
      const secretBody = created.body.secret.slice('whsec_'.length);
      expect(exported).toContain('webhook.created');
      expect(exported).not.toContain(secretBody);
      expect(exported).not.toContain(Buffer.from(secretBody, 'base64').toString('hex'));
      const verdict = await client(admin.url, own.auditor).get('/v1/audit-events/verify');
      expect(verdict.body).toMatchObject({ valid: true, count: 6 });
    });
  });
});
