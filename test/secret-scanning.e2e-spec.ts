// docs/secret-scanning.md: GitHub's secret scanning reports, signed with a P-256 key made here and
// published by a keys document served here, and a tenant admin's own report of a leaked key.
import { generateApiKey } from '@keyward/keys';
import { KeyedHasher } from '@keyward/platform';
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createCredential, createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { waitFor } from './support/fault-servers';
import { client, request } from './support/http-client';
import { createKey, inBatches } from './support/key-builders';
import { startAdminApi, startVerify, startWorker, type RunningHttpApp } from './support/running-apps';
import { TEST_PEPPER, TEST_WEBHOOK_HOST } from './support/test-config';
import { Receiver, verified } from './support/webhook-receiver';

const KEY_ID = 'keyward-test-key-1';
const REPORT_PATH = '/v1/secret-scanning/github';

/** A P-256 key pair, as GitHub signs with. */
function p256(): { privateKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

const signatureOf = (body: string | Buffer, privateKey: KeyObject) =>
  sign('sha256', Buffer.from(body), { key: privateKey, dsaEncoding: 'der' }).toString('base64');

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The keys document GitHub publishes, served on 127.0.0.1; counts the fetches, and can answer 500 instead. */
class KeysDocumentServer {
  fetches = 0;
  failing = false;
  private readonly server: Server;

  constructor(private readonly keys: Array<{ id: string; pem: string }>) {
    this.server = createServer((_request, response) => {
      this.fetches++;
      if (this.failing) return void response.writeHead(500).end('down');
      const document = { public_keys: this.keys.map(({ id, pem }) => ({ key_identifier: id, key: pem, is_current: true })) };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/meta/public_keys/secret_scanning`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

interface ReportItem {
  token: string;
  type: string;
  url: string;
  source: string;
}

const item = (token: string, type = 'keyward_api_key'): ReportItem => ({
  token,
  type,
  url: `https://github.com/octocat/leaky/blob/${randomUUID()}/config.env`,
  source: 'content',
});

describe('leaked-key reports', () => {
  const github = p256();
  const stranger = p256();
  const keysDocument = new KeysDocumentServer([{ id: KEY_ID, pem: github.publicPem }]);
  const receiver = new Receiver();
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let keysUrl: string;
  /** Other admin APIs this file starts, closed with the rest at its end. */
  const afterAllClose: RunningHttpApp[] = [];

  /** Sends `body` as GitHub would, with the headers given (by default signed by GitHub's key). */
  function report(body: string, headers: Record<string, string> = { identifier: KEY_ID, signature: signatureOf(body, github.privateKey) }) {
    return request(admin.url, 'POST', REPORT_PATH, {
      rawBody: body,
      headers: {
        'content-type': 'application/json',
        ...(headers.identifier !== undefined ? { 'github-public-key-identifier': headers.identifier } : {}),
        ...(headers.signature !== undefined ? { 'github-public-key-signature': headers.signature } : {}),
      },
    });
  }

  const verifyCode = async (tenant: TestTenant, key: string) =>
    (await client(verify.url, tenant.verifier).post('/v1/verify', { key })).body.code as string;

  /** Polls verify until it answers `code` or a second has passed; answers what it last said. */
  const codeWithinOneSecond = (tenant: TestTenant, key: string, code: string) =>
    waitFor(
      () => verifyCode(tenant, key),
      (answer) => answer === code,
      1_000,
      20,
    );

  async function auditEvents(tenant: TestTenant): Promise<any[]> {
    const page = await client(admin.url, tenant.auditor).get('/v1/audit-events?limit=100');
    expect(page.status).toBe(200);
    return page.body.data;
  }

  beforeAll(async () => {
    keysUrl = await keysDocument.start();
    await receiver.start();
    admin = await startAdminApi({ env: { KEYWARD_GITHUB_KEYS_URL: keysUrl } });
    verify = await startVerify();
  });
  afterAll(async () => {
    for (const app of afterAllClose) await app.close();
    await worker?.close();
    await verify?.close();
    await admin?.close();
    await receiver.close();
    await keysDocument.close();
  });

  describe('POST /v1/secret-scanning/github', () => {
    it('labels a live key, a revoked key, a credential and an unknown token, and stops each of ours at once', async () => {
      const [tenantA, tenantB] = [await createTenant(admin.url), await createTenant(admin.url)];
      const hookPath = receiver.path();
      const hook = await client(admin.url, tenantA.admin).post('/v1/webhooks', {
        url: receiver.url(hookPath, TEST_WEBHOOK_HOST),
        events: ['key.leaked'],
      });
      expect(hook.status).toBe(201);
      const live = await createKey(admin.url, tenantA.admin, { name: 'pushed by mistake' });
      const revoked = await createKey(admin.url, tenantB.admin, { name: 'revoked before' });
      expect((await client(admin.url, tenantB.admin).post(`/v1/keys/${revoked.id}/revoke`, {})).status).toBe(200);
      const credential = await createCredential(admin.url, tenantA.id, 'admin', 'leaky ci');
      expect((await client(admin.url, credential.token).get('/v1/keys')).status).toBe(200);
      const unknown = generateApiKey('kw', 'live');
      expect(await verifyCode(tenantA, live.key)).toBe('VALID'); // cached on verify

      const items = [item(live.key), item(revoked.key), item(credential.token, 'keyward_credential'), item(unknown)];
      const answer = await report(JSON.stringify(items));

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual([
        { token_hash: sha256(live.key), token_type: 'keyward_api_key', label: 'true_positive' },
        { token_hash: sha256(revoked.key), token_type: 'keyward_api_key', label: 'true_positive' },
        { token_hash: sha256(credential.token), token_type: 'keyward_credential', label: 'true_positive' },
        { token_hash: sha256(unknown), token_type: 'keyward_api_key', label: 'false_positive' },
      ]);
      expect(await codeWithinOneSecond(tenantA, live.key, 'REVOKED')).toBe('REVOKED');
      expect((await client(admin.url, credential.token).get('/v1/keys')).status).toBe(401);
      expect((await client(admin.url, tenantA.admin).get(`/v1/keys/${live.id}`)).body.status).toBe('revoked');

      // Each event in the chain of the tenant it belongs to, by GitHub's scanner, holding where and what, never the token.
      const reportedBy = { actor: { type: 'system', id: 'github-secret-scanning' } };
      const eventsOfA = await auditEvents(tenantA);
      expect(eventsOfA).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            ...reportedBy,
            action: 'key.leaked',
            target: { type: 'key', id: live.id },
            details: { url: items[0].url, source: 'content', action: 'revoke' },
          }),
          expect.objectContaining({ ...reportedBy, action: 'key.revoked', target: { type: 'key', id: live.id } }),
          expect.objectContaining({
            ...reportedBy,
            action: 'credential.leaked',
            target: { type: 'credential', id: credential.id },
            details: { url: items[2].url, source: 'content', action: 'revoke' },
          }),
          expect.objectContaining({ ...reportedBy, action: 'credential.revoked', target: { type: 'credential', id: credential.id } }),
        ]),
      );
      const eventsOfB = await auditEvents(tenantB);
      const leakedInB = eventsOfB.filter((event) => event.action === 'key.leaked');
      expect(leakedInB).toEqual([
        expect.objectContaining({
          target: { type: 'key', id: revoked.id },
          details: { url: items[1].url, source: 'content', action: 'revoke' },
        }),
      ]);
      expect(eventsOfB.filter((event) => event.action === 'key.revoked')).toHaveLength(1); // the revoke before the report only
      for (const tenant of [tenantA, tenantB]) {
        expect((await client(admin.url, tenant.auditor).get('/v1/audit-events/verify')).body).toMatchObject({ valid: true });
      }
      const stored = await sql('owner', 'SELECT details::text AS details FROM audit_events WHERE tenant_id = ANY ($1::uuid[])', [
        [tenantA.id, tenantB.id],
      ]);
      const storedText = JSON.stringify(stored);
      for (const { token } of items) expect(storedText).not.toContain(token);

      // The webhook, delivered by the worker and checked as a receiver would with the Standard Webhooks library.
      worker = await startWorker();
      const [delivery] = await waitFor(
        async () => receiver.at(hookPath),
        (received) => received.length > 0,
        15_000,
        100,
      );
      expect(delivery).toBeDefined();
      const event = verified(hook.body.secret, delivery);
      expect(event).toEqual({
        type: 'key.leaked',
        timestamp: expect.any(String),
        data: { keyId: live.id, ownerId: null, name: 'pushed by mistake', url: items[0].url, source: 'content', action: 'revoke' },
      });
      expect(delivery.body).not.toContain(live.key);
    }, 30_000);

    describe('refuses with 401 a report GitHub did not sign, and changes nothing', () => {
      let tenant: TestTenant;
      let key: any;
      let body: string;
      let eventsBefore: number;

      beforeAll(async () => {
        tenant = await createTenant(admin.url);
        key = await createKey(admin.url, tenant.admin);
        body = JSON.stringify([item(key.key)]);
        eventsBefore = (await auditEvents(tenant)).length;
      });

      it.each([
        ['signed by another key', () => ({ identifier: KEY_ID, signature: signatureOf(body, stranger.privateKey) })],
        [
          'signed, then one byte of the body changed',
          () => ({ identifier: KEY_ID, signature: signatureOf(body.replace('content', 'contenu'), github.privateKey) }),
        ],
        ['without Github-Public-Key-Signature', () => ({ identifier: KEY_ID })],
        ['without Github-Public-Key-Identifier', () => ({ signature: signatureOf(body, github.privateKey) })],
        ['with a signature that is not DER', () => ({ identifier: KEY_ID, signature: Buffer.from('not a signature').toString('base64') })],
        [
          'signed by a key the document does not hold',
          () => ({ identifier: 'unknown-key', signature: signatureOf(body, stranger.privateKey) }),
        ],
      ])('%s', async (_case, headers) => {
        const answer = await report(body, headers());
        expect(answer.status).toBe(401);
        expect(answer.body.code).toBe('UNAUTHENTICATED');
        expect(await verifyCode(tenant, key.key)).toBe('VALID');
        expect((await auditEvents(tenant)).length).toBe(eventsBefore);
      });

      it('keeps the keys it knows while the keys document cannot be fetched: 200 for them, 401 (not 503) for others', async () => {
        keysDocument.failing = true;
        try {
          const unknown = JSON.stringify([item(generateApiKey('kw', 'live'))]);
          expect((await report(unknown)).status).toBe(200);
          expect((await report(unknown, { identifier: 'rotated-in', signature: signatureOf(unknown, stranger.privateKey) })).status).toBe(
            401,
          );
        } finally {
          keysDocument.failing = false;
        }
      });

      it('fetches the keys document again for an unknown key at most once a minute', async () => {
        const before = keysDocument.fetches;
        for (const identifier of ['unknown-1', 'unknown-2', 'unknown-3']) {
          expect((await report(body, { identifier, signature: signatureOf(body, stranger.privateKey) })).status).toBe(401);
        }
        expect(keysDocument.fetches - before).toBeLessThanOrEqual(1);
      });
    });

    it('answers 1,000 tokens, all keys of one tenant, within 10 seconds, and revokes every one', async () => {
      const tenant = await createTenant(admin.url);
      // Keys as the API stores them (keyed hash, start), written directly: issuing 1,000 through the API is not what this measures.
      const hasher = new KeyedHasher(Buffer.from(TEST_PEPPER, 'base64'));
      const keys = Array.from({ length: 1_000 }, () => generateApiKey('kw', 'live'));
      await sql(
        'owner',
        `INSERT INTO api_keys (tenant_id, name, key_hash, start, environment)
         SELECT $1, 'bulk', h, 'kw_live_' || left(encode(h, 'hex'), 4), 'live' FROM unnest($2::bytea[]) h`,
        [tenant.id, keys.map((key) => hasher.hash(key))],
      );
      const body = JSON.stringify(keys.map((key) => item(key)));

      const startedAt = Date.now();
      const answer = await report(body);
      const elapsedMs = Date.now() - startedAt;

      expect(answer.status).toBe(200);
      expect(answer.body).toHaveLength(1_000);
      expect(answer.body.every((entry: any) => entry.label === 'true_positive')).toBe(true);
      expect(elapsedMs).toBeLessThan(10_000);
      const [counts] = await sql(
        'owner',
        `SELECT count(*) FILTER (WHERE revoked_at IS NOT NULL)::int AS revoked,
                (SELECT count(*)::int FROM audit_events WHERE tenant_id = $1 AND action = 'key.leaked') AS leaked
           FROM api_keys WHERE tenant_id = $1`,
        [tenant.id],
      );
      expect(counts).toEqual({ revoked: 1_000, leaked: 1_000 });
      process.stdout.write(`1,000-token report answered in ${elapsedMs} ms\n`);
    }, 60_000);

    it.each([
      ['disable', 'DISABLED', 'disabled'],
      ['report', 'VALID', 'active'],
    ])('applies the policy leakedKeyAction %s', async (action, code, status) => {
      const tenant = await createTenant(admin.url);
      const api = client(admin.url, tenant.admin);
      const policy = await api.put('/v1/policy', {
        unusedKeyDays: null,
        unusedKeyAction: 'report',
        maxKeyLifetimeDays: null,
        expiryWarningDays: [7, 1],
        leakedKeyAction: action,
      });
      expect(policy.body.leakedKeyAction).toBe(action);
      await api.post('/v1/webhooks', { url: receiver.url(receiver.path(), TEST_WEBHOOK_HOST), events: ['key.leaked'] });
      const key = await createKey(admin.url, tenant.admin);
      expect(await verifyCode(tenant, key.key)).toBe('VALID');

      const leak = item(key.key);
      const answer = await report(JSON.stringify([leak]));

      expect(answer.body).toEqual([{ token_hash: sha256(key.key), token_type: 'keyward_api_key', label: 'true_positive' }]);
      expect(await codeWithinOneSecond(tenant, key.key, code)).toBe(code);
      expect((await api.get(`/v1/keys/${key.id}`)).body.status).toBe(status);
      const events = await auditEvents(tenant);
      expect(events.filter((event) => event.action === 'key.leaked').map((event) => event.details)).toEqual([
        { url: leak.url, source: 'content', action },
      ]);
      expect(events.some((event) => event.action === 'key.revoked')).toBe(false);
      expect(events.some((event) => event.action === 'key.disabled')).toBe(action === 'disable');
      const deliveries = await sql('owner', `SELECT body FROM webhook_deliveries WHERE tenant_id = $1 AND event_type = 'key.leaked'`, [
        tenant.id,
      ]);
      expect(deliveries.map((row) => JSON.parse(row.body).data.action)).toEqual([action]);
    });

    it.each([
      ['a body that is not an array', () => JSON.stringify({ token: 'x' }), 'body'],
      [
        'an item without token',
        () => JSON.stringify([{ type: 'keyward_api_key', url: 'https://github.com/a', source: 'content' }]),
        '0.token',
      ],
      ['a token that is not a string', () => JSON.stringify([item('x'), { ...item('y'), token: 7 }]), '1.token'],
      ['an item without type', () => JSON.stringify([{ token: 'x' }]), '0.type'],
      ['a url that is not a string', () => JSON.stringify([{ ...item('x'), url: ['https://github.com/a'] }]), '0.url'],
      ['1,001 items', () => JSON.stringify(Array.from({ length: 1_001 }, () => ({ token: 'x', type: 't' }))), 'body'],
    ])('refuses %s, signed, with 400 naming the field', async (_case, makeBody, field) => {
      const answer = await report(makeBody());
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('VALIDATION_FAILED');
      expect(answer.body.errors.map((error: any) => error.field)).toContain(field);
    });

    it('refuses a signed body that is not JSON with 400 MALFORMED_JSON', async () => {
      const answer = await report('[{"token":');
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('MALFORMED_JSON');
    });

    it('answers 503, never accepting the report, while the keys document cannot be fetched and no key is known', async () => {
      const down = new KeysDocumentServer([]);
      const downUrl = await down.start();
      down.failing = true;
      const isolated = await startAdminApi({ env: { KEYWARD_GITHUB_KEYS_URL: downUrl } });
      try {
        const tenant = await createTenant(admin.url);
        const key = await createKey(admin.url, tenant.admin);
        const body = JSON.stringify([item(key.key)]);
        for (let attempt = 0; attempt < 2; attempt++) {
          const answer = await request(isolated.url, 'POST', REPORT_PATH, {
            rawBody: body,
            headers: {
              'content-type': 'application/json',
              'github-public-key-identifier': KEY_ID,
              'github-public-key-signature': signatureOf(body, github.privateKey),
            },
          });
          expect(answer.status).toBe(503);
          expect(answer.body.code).toBe('SERVICE_UNAVAILABLE');
          expect(answer.headers.get('retry-after')).toBe('60');
        }
        expect(down.fetches).toBe(1); // the second report did not fetch again within the minute
        expect(await verifyCode(tenant, key.key)).toBe('VALID');
      } finally {
        await down.close();
      }
      // Left open to the end of the file: apps in one process share passport's registry (see conventions.e2e-spec.ts).
      afterAllClose.push(isolated);
    });
  });

  describe('its own body limit, rate limit and logs', () => {
    /** Every line an admin API logs. */
    class LogLines extends Writable {
      readonly text: string[] = [];
      override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
        this.text.push(chunk.toString());
        done();
      }
    }

    /** An admin API of its own: its own Redis prefix (so its own rate windows), logging everything. */
    async function ownAdmin(logs = new LogLines()): Promise<{ api: RunningHttpApp; logs: LogLines }> {
      const api = await startAdminApi({
        env: {
          KEYWARD_GITHUB_KEYS_URL: keysUrl,
          LOG_LEVEL: 'trace',
          REDIS_KEY_PREFIX: `${process.env.KEYWARD_TEST_REDIS_PREFIX}secret-scanning-${randomUUID().slice(0, 8)}:`,
        },
        logDestination: logs,
      });
      afterAllClose.push(api);
      return { api, logs };
    }

    const signedTo = (url: string, body: string) =>
      request(url, 'POST', REPORT_PATH, {
        rawBody: body,
        headers: {
          'content-type': 'application/json',
          'github-public-key-identifier': KEY_ID,
          'github-public-key-signature': signatureOf(body, github.privateKey),
        },
      });

    it('logs no token, at the most verbose level, whatever the report', async () => {
      const { api, logs } = await ownAdmin();
      const tenant = await createTenant(admin.url);
      const key = await createKey(admin.url, tenant.admin);
      const credential = await createCredential(admin.url, tenant.id, 'auditor');
      const unknown = generateApiKey('kw', 'test');
      const tokens = [key.key, credential.token, unknown];
      const body = JSON.stringify(tokens.map((token) => item(token)));
      expect((await signedTo(api.url, body)).status).toBe(200);
      expect((await signedTo(api.url, JSON.stringify([{ token: key.key, type: 7 }]))).status).toBe(400);
      const unsigned = await request(api.url, 'POST', REPORT_PATH, { rawBody: body, headers: { 'content-type': 'application/json' } });
      expect(unsigned.status).toBe(401);
      const logged = logs.text.join('');
      expect(logged).toContain(REPORT_PATH); // the access lines are there
      for (const token of tokens) {
        expect(logged).not.toContain(token);
        expect(logged).not.toContain(token.slice(-38));
      }
    });

    it('takes a report larger than BODY_LIMIT_BYTES, and refuses one over its own 4 MiB limit with 413', async () => {
      const { api } = await ownAdmin();
      const large = JSON.stringify(
        Array.from({ length: 400 }, (_, index) => ({ ...item(`not-a-token-${index}`), url: `https://github.com/${'a'.repeat(300)}` })),
      );
      expect(large.length).toBeGreaterThan(64 * 1024);
      expect((await signedTo(api.url, large)).status).toBe(200);
      const tooLarge = `[${' '.repeat(4 * 1024 * 1024)}]`;
      const answer = await signedTo(api.url, tooLarge);
      expect(answer.status).toBe(413);
      expect(answer.body.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('answers 429 past 600 requests a minute from one address, before reading the report', async () => {
      const { api } = await ownAdmin();
      // A minute with room for the whole burst: the limit's window is the minute.
      if (new Date().getSeconds() > 50) await new Promise((resolve) => setTimeout(resolve, (61 - new Date().getSeconds()) * 1000));
      const send = () => request(api.url, 'POST', REPORT_PATH, { rawBody: '[]', headers: { 'content-type': 'application/json' } });
      // 20 at a time, so that the burst fits well within its minute.
      const statuses = (await inBatches(600, 20, send)).map((answer) => answer.status);
      expect(statuses.filter((status) => status !== 401)).toEqual([]);
      const over = await send();
      expect(over.status).toBe(429);
      expect(over.body).toMatchObject({ code: 'RATE_LIMITED', detail: 'Too many requests from this address; retry later.' });
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    }, 60_000);
  });

  describe('POST /v1/keys/{keyId}/leaked', () => {
    it("applies the tenant's policy to its own key and answers the key", async () => {
      const tenant = await createTenant(admin.url);
      const key = await createKey(admin.url, tenant.admin);
      expect(await verifyCode(tenant, key.key)).toBe('VALID');

      const answer = await client(admin.url, tenant.admin).post(`/v1/keys/${key.id}/leaked`, {
        url: 'https://gist.github.com/octocat/1',
        source: 'gist',
      });

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: key.id, status: 'revoked' });
      expect(await codeWithinOneSecond(tenant, key.key, 'REVOKED')).toBe('REVOKED');
      const leaked = (await auditEvents(tenant)).filter((event) => event.action === 'key.leaked');
      expect(leaked).toEqual([
        expect.objectContaining({
          actor: { type: 'credential', id: expect.any(String) },
          details: { url: 'https://gist.github.com/octocat/1', source: 'gist', action: 'revoke' },
        }),
      ]);
    });

    it('takes no body, refuses an auditor, and answers 404 for a key of another tenant', async () => {
      const [tenant, other] = [await createTenant(admin.url), await createTenant(admin.url)];
      const key = await createKey(admin.url, tenant.admin);
      expect((await client(admin.url, tenant.auditor).post(`/v1/keys/${key.id}/leaked`, {})).status).toBe(403);
      expect((await client(admin.url, other.admin).post(`/v1/keys/${key.id}/leaked`, {})).status).toBe(404);
      const bare = await request(admin.url, 'POST', `/v1/keys/${key.id}/leaked`, { token: tenant.admin });
      expect(bare.status).toBe(200);
      expect(bare.body.status).toBe('revoked');
      const refused = await client(admin.url, tenant.admin).post(`/v1/keys/${key.id}/leaked`, { url: 'x'.repeat(2049) });
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((error: any) => error.field)).toEqual(['url']);
    });
  });
});
