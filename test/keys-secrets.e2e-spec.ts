// docs/api.md, Secrets and Keys: a key's plaintext appears in its create (or rotate) response and its
// idempotent replays only: in no log line at debug level, no audit event, no row of any table.
import { createHash, createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { escapeIdentifier } from 'pg';
import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client, type TestResponse } from './support/http-client';
import { KEY_SHAPE, KEY_SHAPE_ANYWHERE } from './support/key-builders';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';
import { testConfig } from './support/test-config';

/** Every line the admin API logs, kept in order. */
class LogLines extends Writable {
  readonly lines: string[] = [];
  private partial = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const parts = (this.partial + chunk.toString()).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter((line) => line.length > 0));
    done();
  }

  all(): string[] {
    return this.partial ? [...this.lines, this.partial] : [...this.lines];
  }
}

/** The forms a leaked key could take: as is, its body, its random part, and its bytes in hex and base64. */
function leakFormsOf(plaintext: string): string[] {
  const body = plaintext.slice('kw_live_'.length);
  const bytes = Buffer.from(plaintext, 'utf8');
  return [
    plaintext,
    body,
    body.slice(0, 32),
    bytes.toString('hex'),
    bytes.toString('base64').slice(0, 40),
    bytes.toString('base64url').slice(0, 40),
  ];
}

function findLeaks(haystacks: string[], plaintexts: string[]): Array<{ form: string; where: string }> {
  const leaks: Array<{ form: string; where: string }> = [];
  for (const plaintext of plaintexts) {
    for (const form of leakFormsOf(plaintext)) {
      for (const haystack of haystacks) {
        // Only a prefix of what leaked is printed, so a failure does not spread the secret further.
        if (haystack.includes(form)) leaks.push({ form: `${form.slice(0, 10)}...`, where: haystack.slice(0, 300).replace(form, '<LEAK>') });
      }
    }
  }
  return leaks;
}

describe('key secrets: the plaintext never reaches a log line, an audit event or a table', () => {
  const logs = new LogLines();
  let admin: RunningHttpApp;
  let tenant: TestTenant;
  /** Every plaintext key the flow was given. */
  const plaintexts = new Set<string>();
  const issuedIds: string[] = [];
  const responses: TestResponse[] = [];

  function issued(response: TestResponse): any {
    expect(response.status).toBe(201);
    expect(response.body.key).toMatch(KEY_SHAPE);
    plaintexts.add(response.body.key);
    if (!issuedIds.includes(response.body.id)) issuedIds.push(response.body.id);
    return response.body;
  }

  async function runFlow(): Promise<void> {
    tenant = await createTenant(admin.url);
    const raw = client(admin.url, tenant.admin);
    const api = {
      get: async (path: string) => remember(await raw.get(path)),
      post: async (path: string, body?: unknown, headers?: Record<string, string>) => remember(await raw.post(path, body, { headers })),
      patch: async (path: string, body: unknown) => remember(await raw.patch(path, body)),
    };
    function remember(response: TestResponse): TestResponse {
      responses.push(response);
      return response;
    }

    // Issue, with an idempotent retry of a create and of a rotation.
    const createHeaders = { 'idempotency-key': 'secrets-create-1' };
    const full = {
      name: 'secrets full',
      ownerId: 'secrets-owner',
      scopes: ['billing:*'],
      environment: 'test',
      meta: { team: 'payments' },
      rateLimit: { limit: 10, windowSeconds: 60 },
      remaining: 100,
      ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'],
      rotation: { intervalSeconds: 3600, gracePeriodSeconds: 60 },
    };
    const first = issued(await api.post('/v1/keys', full, createHeaders));
    const replay = issued(await api.post('/v1/keys', full, createHeaders));
    expect(replay.key).toBe(first.key);
    expect((await api.post('/v1/keys', { ...full, name: 'other' }, createHeaders)).status).toBe(422);
    const plain = issued(await api.post('/v1/keys', { name: 'secrets plain' }));
    const live = issued(await api.post('/v1/keys', { name: 'secrets live', environment: 'live' }));

    const rotateHeaders = { 'idempotency-key': 'secrets-rotate-1' };
    const successor = issued(await api.post(`/v1/keys/${first.id}/rotate`, { gracePeriodSeconds: 30 }, rotateHeaders));
    const successorReplay = issued(await api.post(`/v1/keys/${first.id}/rotate`, { gracePeriodSeconds: 30 }, rotateHeaders));
    expect(successorReplay.key).toBe(successor.key);
    expect((await api.post(`/v1/keys/${first.id}/rotate`, { gracePeriodSeconds: 30 })).status).toBe(409);
    const plainSuccessor = issued(await api.post(`/v1/keys/${plain.id}/rotate`));

    // Change, read and list.
    expect((await api.patch(`/v1/keys/${successor.id}`, { name: 'secrets renamed', scopes: ['billing:read'] })).status).toBe(200);
    expect((await api.patch(`/v1/keys/${successor.id}`, { enabled: false })).status).toBe(200);
    expect((await api.patch(`/v1/keys/${successor.id}`, { enabled: true, remaining: null })).status).toBe(200);
    for (const id of issuedIds) expect((await api.get(`/v1/keys/${id}`)).status).toBe(200);
    expect((await api.get('/v1/keys?limit=2')).status).toBe(200);
    expect((await api.get('/v1/keys?ownerId=secrets-owner&status=active')).status).toBe(200);
    expect((await api.post(`/v1/keys/${live.id}/revoke`, { reason: 'rotated out' })).status).toBe(200);
    expect((await api.post(`/v1/keys/${live.id}/revoke`, {})).status).toBe(200);
    expect((await api.patch(`/v1/keys/${live.id}`, { name: 'too late' })).status).toBe(409);

    // Refused requests that carry a plaintext where it does not belong: in bodies, queries and headers.
    expect((await api.post('/v1/keys', { name: 'x', key: live.key })).status).toBe(400);
    expect((await api.post('/v1/keys', { name: 'x', scopes: [plainSuccessor.key] })).status).toBe(400);
    expect((await api.patch(`/v1/keys/${plain.id}`, { key: plainSuccessor.key })).status).toBe(400);
    expect((await api.post(`/v1/keys/${plain.id}/rotate`, { gracePeriodSeconds: live.key })).status).toBe(400);
    expect((await api.get(`/v1/keys?cursor=${encodeURIComponent(successor.key)}`)).status).toBe(400);
    expect((await api.get(`/v1/keys/${plainSuccessor.key}`)).status).toBe(404);
    expect((await api.post(`/v1/keys/${first.key}/revoke`, {})).status).toBe(404);
    const withKeyInHeaders = await fetch(`${admin.url}/v1/keys`, {
      headers: { authorization: `Bearer ${tenant.admin}`, 'x-api-key': plain.key, 'idempotency-key': 'not-a-post' },
    });
    expect(withKeyInHeaders.status).toBe(200);
    const keyAsBearer = await fetch(`${admin.url}/v1/keys`, { headers: { authorization: `Bearer ${first.key}` } });
    expect(keyAsBearer.status).toBe(401);
  }

  beforeAll(async () => {
    admin = await startAdminApi({ logDestination: logs, env: { LOG_LEVEL: 'debug' } });
    await runFlow();
    // Let the last response's log lines be written before the service closes.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }, 60_000);
  afterAll(() => admin.close());

  it('ran a flow that issued several keys, and logged its requests', () => {
    expect(plaintexts.size).toBe(5);
    const lines = logs.all().map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThan(30);
    expect(lines.filter((line) => String(line.req?.url ?? '').startsWith('/v1/keys')).length).toBeGreaterThan(20);
  });

  it('answers a plaintext only in 201 create and rotate responses and their replays', () => {
    for (const response of responses) {
      const text = JSON.stringify(response.body ?? '');
      if (response.status === 201) continue;
      expect({ status: response.status, shaped: KEY_SHAPE_ANYWHERE.test(text) }).toEqual({ status: response.status, shaped: false });
      expect(findLeaks([text], [...plaintexts])).toEqual([]);
    }
  });

  it('writes no plaintext key, nor its body, hex or base64, in any log line', () => {
    expect(findLeaks(logs.all(), [...plaintexts])).toEqual([]);
  });

  it('writes nothing shaped like a key in any log line', () => {
    expect(
      logs
        .all()
        .filter((line) => KEY_SHAPE_ANYWHERE.test(line))
        .map((line) => line.slice(0, 200)),
    ).toEqual([]);
  });

  it('holds no plaintext key in any audit event, as listed and as exported in NDJSON', async () => {
    const auditor = client(admin.url, tenant.auditor);
    const listed = await auditor.get('/v1/audit-events?limit=100');
    expect(listed.body.data.filter((event: any) => event.action.startsWith('key.')).length).toBeGreaterThanOrEqual(10);
    const exported = await fetch(`${admin.url}/v1/audit-events/export?format=ndjson`, {
      headers: { authorization: `Bearer ${tenant.auditor}` },
    });
    expect(exported.status).toBe(200);
    const ndjson = await exported.text();
    const lines = ndjson.split('\n').filter(Boolean);
    expect(lines.length).toBe(listed.body.data.length);
    for (const id of issuedIds) expect(ndjson).toContain(id);
    expect(findLeaks([...lines, JSON.stringify(listed.body)], [...plaintexts])).toEqual([]);
    expect(lines.filter((line) => KEY_SHAPE_ANYWHERE.test(line))).toEqual([]);
  });

  describe('the database', () => {
    /** Every row of every table in schema public, as `table<TAB>row text`. */
    let rows: string[];

    beforeAll(async () => {
      const tables = await sql<{ table_name: string }>(
        'owner',
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
      );
      rows = [];
      for (const { table_name: table } of tables) {
        const found = await sql<{ row: string }>('owner', `SELECT t::text AS row FROM public.${escapeIdentifier(table)} t`);
        for (const row of found) rows.push(`${table}\t${row.row}`);
      }
    });

    it('reads the rows the flow wrote', () => {
      const tables = new Set(rows.map((row) => row.split('\t')[0]));
      for (const table of ['api_keys', 'audit_events', 'idempotency_records', 'tenants', 'credentials']) expect(tables).toContain(table);
      for (const id of issuedIds) expect(rows.some((row) => row.startsWith('api_keys\t') && row.includes(id))).toBe(true);
    });

    it('holds no plaintext key, nor its body, hex or base64, in any row of any table', () => {
      expect(findLeaks(rows, [...plaintexts])).toEqual([]);
    });

    it("holds nothing shaped like a key in any row of the tenant's", () => {
      const tenantRows = rows.filter((row) => row.includes(tenant.id));
      expect(tenantRows.length).toBeGreaterThan(20);
      expect(tenantRows.filter((row) => KEY_SHAPE_ANYWHERE.test(row)).map((row) => row.slice(0, 120))).toEqual([]);
    });

    it('keeps the stored idempotent answers of create and rotate, which hold the plaintext, only encrypted', async () => {
      const records = await sql<{ idempotency_key: string; status_code: number; sealed_response: Buffer | null }>(
        'owner',
        `SELECT idempotency_key, status_code, sealed_response FROM idempotency_records WHERE tenant_id = $1 ORDER BY idempotency_key`,
        [tenant.id],
      );
      expect(records.map((record) => record.idempotency_key)).toEqual(['secrets-create-1', 'secrets-rotate-1']);
      for (const record of records) {
        expect(record.status_code).toBe(201);
        const sealed = record.sealed_response!;
        expect(Buffer.isBuffer(sealed)).toBe(true);
        for (const encoding of ['utf8', 'latin1', 'hex', 'base64'] as const) {
          const text = sealed.toString(encoding);
          expect(text).not.toMatch(/kw_(live|test)_|"key"|"previousKeyId"|secrets full/);
          expect(findLeaks([text], [...plaintexts])).toEqual([]);
        }
      }
    });

    it('stores each key as a 32-byte HMAC-SHA-256 of its plaintext under the pepper, not as a plain hash', async () => {
      const pepper = testConfig().pepper;
      const stored = await sql<{ id: string; key_hash: Buffer; start: string }>(
        'owner',
        'SELECT id, key_hash, start FROM api_keys WHERE tenant_id = $1',
        [tenant.id],
      );
      expect(stored).toHaveLength(issuedIds.length);
      const hashes = new Map(
        [...plaintexts].map((plaintext) => [createHmac('sha256', pepper).update(plaintext, 'utf8').digest('hex'), plaintext]),
      );
      for (const row of stored) {
        expect(row.key_hash).toHaveLength(32);
        const plaintext = hashes.get(row.key_hash.toString('hex'));
        expect(plaintext).toBeDefined();
        expect(row.start).toBe(plaintext!.slice(0, 'kw_live_'.length + 4));
        expect(row.key_hash.equals(createHash('sha256').update(plaintext!, 'utf8').digest())).toBe(false);
      }
    });
  });
});
