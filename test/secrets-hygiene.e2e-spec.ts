// docs/api.md, Secrets: a secret appears in its create response and nowhere else: not in a log line
// (at the most verbose level), not in a table. A full flow runs with every log line of the admin API
// and the verify service captured, then the logs and a data-only dump of the database are searched.
import { createHash, createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { escapeIdentifier } from 'pg';
import { sql } from './support/database';
import { request, type TestResponse } from './support/http-client';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN, testConfig } from './support/test-config';

const run = promisify(execFile);

/** Every line a service logs, kept in order. */
class LogLines extends Writable {
  readonly lines: string[] = [];
  private partial = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter((line) => line.length > 0));
    done();
  }

  all(): string[] {
    return this.partial ? [...this.lines, this.partial] : [...this.lines];
  }
}

interface Issued {
  id: string;
  role: string;
  token: string;
}

/** The forms a leaked token could take: as is, its random part, and its bytes in hex and base64. */
function leakFormsOf(secret: string): string[] {
  const randomPart = secret.startsWith('kwc_') ? secret.slice(4, 4 + 32) : secret.slice(4);
  return [secret, randomPart, Buffer.from(secret, 'utf8').toString('hex'), Buffer.from(secret, 'utf8').toString('base64').slice(0, 40)];
}

function findLeaks(haystacks: string[], secrets: string[]): Array<{ secret: string; form: string; where: string }> {
  const leaks: Array<{ secret: string; form: string; where: string }> = [];
  for (const secret of secrets) {
    for (const form of leakFormsOf(secret)) {
      for (const haystack of haystacks) {
        if (haystack.includes(form))
          leaks.push({ secret: `${secret.slice(0, 8)}...`, form: `${form.slice(0, 8)}...`, where: haystack.slice(0, 400) });
      }
    }
  }
  return leaks;
}

/** Any string shaped like a tenant credential, whether or not the test knows it. */
const CREDENTIAL_SHAPE = /kwc_[0-9A-Za-z]{38}/;

interface DatabaseDump {
  method: 'pg_dump --data-only' | 'SELECT of every row as text';
  text: string;
}

/**
 * A data-only dump of the run's database. pg_dump refuses a server newer than itself (the embedded
 * server may be), so the fallback reads every row of every table in schema public as text.
 */
async function dumpDatabase(): Promise<DatabaseDump> {
  const ownerUrl = process.env.KEYWARD_TEST_OWNER_URL!;
  try {
    const { stdout } = await run('pg_dump', ['--data-only', '--no-owner', '--no-privileges', `--dbname=${ownerUrl}`], {
      maxBuffer: 256 * 1024 * 1024,
    });
    if (!stdout.includes('PostgreSQL database dump')) throw new Error('pg_dump wrote no dump');
    return { method: 'pg_dump --data-only', text: stdout };
  } catch (error) {
    const reason = String((error as { stderr?: string }).stderr || (error as Error).message)
      .split('\n')
      .filter((line) => line.trim())
      .slice(0, 2)
      .join(' / ')
      // the URL carries the owner's password
      .replace(/postgres(ql)?:\/\/\S+/g, '<owner url>');
    const tables = await sql<{ table_name: string }>(
      'owner',
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const lines: string[] = [`-- pg_dump unusable (${reason}); every row of ${tables.length} tables as text`];
    for (const { table_name: table } of tables) {
      const rows = await sql<{ row: string }>('owner', `SELECT t::text AS row FROM public.${escapeIdentifier(table)} t`);
      lines.push(`-- ${table}: ${rows.length} rows`, ...rows.map((row) => `${table}\t${row.row}`));
    }
    return { method: 'SELECT of every row as text', text: lines.join('\n') };
  }
}

describe('secrets hygiene: tokens never reach a log line or a table', () => {
  const logs = new LogLines();
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  /** Every plaintext token the flow saw: what must appear nowhere but in create responses. */
  const secrets: string[] = [TEST_PLATFORM_TOKEN];
  const issued: Issued[] = [];
  /** Requests sent with a credential in the authorization header, by request id. */
  const authenticatedRequestIds = new Set<string>();
  /** Every request of the flow, by request id. */
  const sentRequestIds = new Set<string>();
  const responses: TestResponse[] = [];
  let requestCount = 0;

  function remember(response: TestResponse): TestResponse {
    responses.push(response);
    return response;
  }

  beforeAll(async () => {
    admin = await startAdminApi({ env: { LOG_LEVEL: 'debug' }, logDestination: logs });
    verify = await startVerify({ env: { LOG_LEVEL: 'debug' }, logDestination: logs });
    try {
      await runFullFlow();
      // Let the last response's log lines be written before the services close.
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      // Closed here, so that shutdown lines are searched too.
      await admin.close();
      await verify.close();
    }
  }, 60_000);

  async function call(
    base: string,
    method: string,
    path: string,
    token: string | undefined,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const requestId = `hygiene-${++requestCount}`;
    const headers: Record<string, string> = { 'x-request-id': requestId, ...(options.headers ?? {}) };
    sentRequestIds.add(requestId);
    if (token !== undefined || headers.authorization !== undefined) authenticatedRequestIds.add(requestId);
    return remember(await request(base, method, path, { token, body: options.body, headers }));
  }

  function issue(response: TestResponse, role: string): Issued {
    expect(response.status).toBe(201);
    expect(response.body.token).toMatch(CREDENTIAL_SHAPE);
    const credential = { id: response.body.id, role, token: response.body.token };
    if (!secrets.includes(credential.token)) secrets.push(credential.token);
    issued.push(credential);
    return credential;
  }

  async function runFullFlow(): Promise<void> {
    const P = TEST_PLATFORM_TOKEN;
    // Tenants, with an Idempotency-Key retry.
    const tenantKey = { 'idempotency-key': 'hygiene-tenant-a' };
    const tenantA = await call(admin.url, 'POST', '/v1/tenants', P, { body: { name: 'hygiene-a' }, headers: tenantKey });
    expect(tenantA.status).toBe(201);
    const tenantARetry = await call(admin.url, 'POST', '/v1/tenants', P, { body: { name: 'hygiene-a' }, headers: tenantKey });
    expect(tenantARetry.body).toEqual(tenantA.body);
    const tenantB = await call(admin.url, 'POST', '/v1/tenants', P, { body: { name: 'hygiene-b' } });
    expect(tenantB.status).toBe(201);
    const a = tenantA.body.id as string;
    const b = tenantB.body.id as string;

    // Credentials of each role from the platform operator; the admin one retried with its Idempotency-Key.
    const adminKey = { 'idempotency-key': 'hygiene-admin-a' };
    const adminA = issue(
      await call(admin.url, 'POST', `/v1/tenants/${a}/credentials`, P, { body: { name: 'adm', role: 'admin' }, headers: adminKey }),
      'admin',
    );
    const adminRetry = await call(admin.url, 'POST', `/v1/tenants/${a}/credentials`, P, {
      body: { name: 'adm', role: 'admin' },
      headers: adminKey,
    });
    expect(adminRetry.status).toBe(201);
    expect(adminRetry.body.token).toBe(adminA.token);
    const reused = await call(admin.url, 'POST', `/v1/tenants/${a}/credentials`, P, {
      body: { name: 'other', role: 'admin' },
      headers: adminKey,
    });
    expect(reused.status).toBe(422);
    const auditorA = issue(
      await call(admin.url, 'POST', `/v1/tenants/${a}/credentials`, P, { body: { name: 'aud', role: 'auditor' } }),
      'auditor',
    );
    const verifierA = issue(
      await call(admin.url, 'POST', `/v1/tenants/${a}/credentials`, P, { body: { name: 'ver', role: 'verifier' } }),
      'verifier',
    );
    const adminB = issue(
      await call(admin.url, 'POST', `/v1/tenants/${b}/credentials`, P, { body: { name: 'adm-b', role: 'admin' } }),
      'admin',
    );

    // Credentials a tenant admin issues itself, with an Idempotency-Key retry.
    const selfKey = { 'idempotency-key': 'hygiene-self-issued' };
    const selfAuditor = issue(
      await call(admin.url, 'POST', '/v1/credentials', adminA.token, {
        body: { name: 'self-aud', role: 'auditor', expiresAt: '2999-01-01T00:00:00Z' },
        headers: selfKey,
      }),
      'auditor',
    );
    const selfRetry = await call(admin.url, 'POST', '/v1/credentials', adminA.token, {
      body: { name: 'self-aud', role: 'auditor', expiresAt: '2999-01-01T00:00:00Z' },
      headers: selfKey,
    });
    expect(selfRetry.body.token).toBe(selfAuditor.token);
    const selfVerifier = issue(
      await call(admin.url, 'POST', '/v1/credentials', adminA.token, { body: { name: 'self-ver', role: 'verifier' } }),
      'verifier',
    );
    const doomed = issue(
      await call(admin.url, 'POST', '/v1/credentials', adminA.token, { body: { name: 'doomed', role: 'admin' } }),
      'admin',
    );

    // Lists and reads, paged.
    expect((await call(admin.url, 'GET', '/v1/tenants?limit=1', P)).status).toBe(200);
    expect((await call(admin.url, 'GET', `/v1/tenants/${a}`, P)).status).toBe(200);
    expect((await call(admin.url, 'GET', `/v1/tenants/${a}/credentials`, P)).status).toBe(200);
    const firstPage = await call(admin.url, 'GET', '/v1/credentials?limit=2', adminA.token);
    expect(firstPage.status).toBe(200);
    expect(JSON.stringify(firstPage.body)).not.toMatch(CREDENTIAL_SHAPE);
    expect((await call(admin.url, 'GET', `/v1/credentials?limit=2&cursor=${firstPage.body.nextCursor}`, adminA.token)).status).toBe(200);
    expect((await call(admin.url, 'GET', '/v1/credentials', adminB.token)).status).toBe(200);

    // Every token on the admin API and on the verify service.
    for (const credential of issued) {
      const onAdmin = await call(admin.url, 'GET', '/v1/credentials', credential.token);
      expect(onAdmin.status).toBe(credential.role === 'admin' ? 200 : 403);
      const onVerify = await call(verify.url, 'POST', '/v1/verify', credential.token, { body: { key: 'kw_live_not-a-key' } });
      expect(onVerify.status).toBe(credential.role === 'verifier' ? 200 : 403);
    }
    expect((await call(verify.url, 'POST', '/v1/verify', P, { body: { key: 'kw_live_x' } })).status).toBe(403);
    // The verify route writes no access line; its other routes do, tokens and all.
    expect((await call(verify.url, 'GET', '/v1/verify', verifierA.token)).status).toBe(404);
    expect((await call(verify.url, 'GET', '/v1/tenants', P)).status).toBe(404);

    // Failing requests that carry tokens where they don't belong: in bodies, in other headers, mangled.
    expect((await call(admin.url, 'POST', '/v1/tenants', P, { body: { name: 'x', token: adminA.token } })).status).toBe(400);
    expect(
      (
        await call(admin.url, 'POST', '/v1/credentials', adminA.token, {
          body: { name: 'x', role: 'admin', secret: auditorA.token, key: verifierA.token },
        })
      ).status,
    ).toBe(400);
    expect((await call(admin.url, 'POST', '/v1/credentials', adminA.token, { body: { name: adminB.token, role: 'nope' } })).status).toBe(
      400,
    );
    expect(
      (await call(verify.url, 'POST', '/v1/verify', verifierA.token, { body: { key: verifierA.token, token: adminA.token } })).status,
    ).toBe(400);
    expect((await call(verify.url, 'POST', '/v1/verify', verifierA.token, { body: { key: adminA.token } })).body).toEqual({
      valid: false,
      code: 'MALFORMED',
    });
    expect(
      (await call(verify.url, 'POST', '/v1/verify', verifierA.token, { body: { key: selfVerifier.token, scopes: [auditorA.token] } }))
        .status,
    ).toBe(200);
    expect(
      (await call(verify.url, 'POST', '/v1/verify', verifierA.token, { body: { key: 'x', scopes: [auditorA.token.repeat(2)] } })).status,
    ).toBe(400);
    expect((await call(admin.url, 'GET', '/v1/tenants', `${adminA.token}x`)).status).toBe(401);
    expect((await call(admin.url, 'GET', '/v1/tenants', adminA.token.slice(0, -1))).status).toBe(401);
    expect((await call(admin.url, 'GET', '/v1/tenants', adminA.token)).status).toBe(403);
    expect((await call(verify.url, 'POST', '/v1/verify', `${verifierA.token}x`, { body: { key: 'x' } })).status).toBe(401);
    expect(
      (
        await call(admin.url, 'GET', '/v1/credentials', undefined, {
          headers: { 'x-api-key': adminA.token, 'proxy-authorization': `Bearer ${adminA.token}` },
        })
      ).status,
    ).toBe(401);
    expect((await call(admin.url, 'GET', '/v1/credentials', undefined, { headers: { cookie: `session=${adminA.token}` } })).status).toBe(
      401,
    );
    // Tokens in the query string (bearer libraries read access_token there), which the access line's url carries.
    expect((await call(admin.url, 'GET', `/v1/credentials?access_token=${adminA.token}`, undefined)).status).toBeLessThan(500);
    expect((await call(admin.url, 'GET', `/v1/tenants?token=${encodeURIComponent(P)}`, P)).status).toBe(400);
    expect((await call(admin.url, 'GET', `/v1/tenants?limit=1&access_token=${encodeURIComponent(P)}`, undefined)).status).toBeLessThan(500);
    expect((await call(verify.url, 'GET', `/v1/nothing?key=${verifierA.token}&secret=${encodeURIComponent(P)}`, undefined)).status).toBe(
      404,
    );
    expect(
      (
        await call(admin.url, 'GET', '/v1/credentials', undefined, {
          headers: { authorization: `Basic ${Buffer.from(`u:${adminA.token}`).toString('base64')}` },
        })
      ).status,
    ).toBe(401);
    expect(
      (await call(admin.url, 'GET', '/v1/credentials', undefined, { headers: { authorization: `bearer ${adminA.token}` } })).status,
    ).toBeLessThan(500);
    expect(
      (
        await call(admin.url, 'POST', '/v1/tenants', undefined, {
          body: { name: 'x' },
          headers: { 'content-type': 'text/plain', authorization: `Bearer ${P}` },
        })
      ).status,
    ).toBe(415);

    // Revocation: the token stops working on the admin API at once and on the verify service within a second.
    expect((await call(verify.url, 'POST', '/v1/verify', doomed.token, { body: { key: 'x' } })).status).toBe(403);
    expect((await call(admin.url, 'DELETE', `/v1/credentials/${doomed.id}`, adminA.token)).status).toBe(204);
    expect((await call(admin.url, 'DELETE', `/v1/credentials/${doomed.id}`, adminA.token)).status).toBe(204);
    expect((await call(admin.url, 'GET', '/v1/credentials', doomed.token)).status).toBe(401);
    const revokedVerifier = selfVerifier;
    expect((await call(verify.url, 'POST', '/v1/verify', revokedVerifier.token, { body: { key: 'x' } })).status).toBe(200);
    expect((await call(admin.url, 'DELETE', `/v1/credentials/${revokedVerifier.id}`, adminA.token)).status).toBe(204);
    const deadline = Date.now() + 1500;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await call(verify.url, 'POST', '/v1/verify', revokedVerifier.token, { body: { key: 'x' } })).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(401);
  }

  function parsedLines(): Array<Record<string, any>> {
    return logs.all().map((line) => JSON.parse(line));
  }

  it('captures the services at debug level, request lines included', () => {
    const lines = parsedLines();
    expect(lines.length).toBeGreaterThan(20);
    // Tests run at warn by default: debug lines (a 2xx request's access line) show that LOG_LEVEL=debug took effect.
    expect(lines.some((line) => line.level === 20)).toBe(true);
    // The verify service writes no access lines at all (PlatformOptions.accessLogs): the admin API's carry the requests.
    expect(lines.some((line) => line.service === 'admin-api')).toBe(true);
    expect(lines.filter((line) => line.req !== undefined).length).toBeGreaterThan(20);
    expect(lines.filter((line) => line.service === 'verify' && line.req !== undefined)).toEqual([]);
  });

  it('writes every log line as JSON', () => {
    for (const line of logs.all()) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('writes no plaintext token, nor its random part, hex or base64, in any log line', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    expect(findLeaks(logs.all(), secrets)).toEqual([]);
  });

  it('writes nothing shaped like a credential token in any log line', () => {
    expect(logs.all().filter((line) => CREDENTIAL_SHAPE.test(line))).toEqual([]);
  });

  it('logs the authorization header of every authenticated request as [REDACTED], and other secret headers too', () => {
    const requestLines = parsedLines().filter((line) => line.req?.headers && sentRequestIds.has(String(line.req.id)));
    const authenticatedWithLines = new Set(requestLines.map((line) => String(line.req.id)).filter((id) => authenticatedRequestIds.has(id)));
    // The verify service writes no access lines: these are the admin API's.
    expect(authenticatedWithLines.size).toBeGreaterThan(30);
    for (const line of requestLines) {
      const headers = line.req.headers as Record<string, unknown>;
      if (authenticatedRequestIds.has(String(line.req.id))) expect(headers.authorization).toBe('[REDACTED]');
      for (const name of ['authorization', 'x-api-key', 'proxy-authorization']) {
        if (name in headers) expect(headers[name]).toBe('[REDACTED]');
      }
    }
    expect(requestLines.some((line) => line.req.headers['x-api-key'] === '[REDACTED]')).toBe(true);
    expect(requestLines.some((line) => line.req.headers['proxy-authorization'] === '[REDACTED]')).toBe(true);
  });

  it('answers with a token only in create responses and their idempotent replays', () => {
    const carrying = responses.filter((response) => CREDENTIAL_SHAPE.test(JSON.stringify(response.body ?? '')));
    for (const response of carrying) {
      expect(response.status).toBe(201);
      expect(Object.keys(response.body).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'name', 'role', 'token']);
    }
    expect(
      responses.filter((response) => response.status >= 400).every((response) => !CREDENTIAL_SHAPE.test(JSON.stringify(response.body))),
    ).toBe(true);
  });

  describe('the database', () => {
    let dump: DatabaseDump;
    beforeAll(async () => {
      dump = await dumpDatabase();
    });

    it('dumps the rows the flow wrote', () => {
      // Which way the dump was made (pg_dump refuses a server newer than itself) is in the message.
      const missing = issued.filter((credential) => !dump.text.includes(credential.id)).map((credential) => credential.id);
      expect({ dumpedWith: dump.method, missing }).toEqual({ dumpedWith: dump.method, missing: [] });
      expect(dump.text).toContain('hygiene-a');
      expect(dump.text).toContain('hygiene-self-issued');
    });

    it('holds no token in plaintext, hex or base64 in a data-only dump', () => {
      expect(findLeaks(dump.text.split('\n'), secrets)).toEqual([]);
      expect(dump.text).not.toMatch(CREDENTIAL_SHAPE);
    });

    it('holds no token in any column of any table', async () => {
      const columns = await sql<{ table_name: string; column_name: string }>(
        'owner',
        `SELECT c.table_name, c.column_name FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'`,
      );
      expect(columns.length).toBeGreaterThan(10);
      const forms = secrets.flatMap(leakFormsOf);
      const holding: string[] = [];
      for (const { table_name: table, column_name: column } of columns) {
        const [{ hits }] = await sql<{ hits: number }>(
          'owner',
          `SELECT count(*)::int AS hits FROM public.${escapeIdentifier(table)}
            WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS form WHERE strpos(${escapeIdentifier(column)}::text, form) > 0)`,
          [forms],
        );
        if (hits > 0) holding.push(`${table}.${column}`);
      }
      expect(holding).toEqual([]);
    });

    it("stores each credential's token as a 32-byte HMAC-SHA-256 under the pepper, not as a plain hash", async () => {
      const pepper = testConfig().pepper;
      const rows = await sql<{ id: string; token_hash: Buffer }>(
        'owner',
        'SELECT id, token_hash FROM credentials WHERE id = ANY($1::uuid[])',
        [issued.map((credential) => credential.id)],
      );
      expect(rows).toHaveLength(issued.length);
      for (const credential of issued) {
        const stored = rows.find((row) => row.id === credential.id)!.token_hash;
        expect(stored).toHaveLength(32);
        expect(stored.equals(createHmac('sha256', pepper).update(credential.token, 'utf8').digest())).toBe(true);
        expect(stored.equals(createHash('sha256').update(credential.token, 'utf8').digest())).toBe(false);
      }
    });

    it('keeps the stored idempotent answers, which hold tokens, only encrypted', async () => {
      const records = await sql<{ idempotency_key: string; sealed_response: Buffer | null }>(
        'owner',
        `SELECT idempotency_key, sealed_response FROM idempotency_records WHERE idempotency_key LIKE 'hygiene-%'`,
      );
      expect(records.map((record) => record.idempotency_key).sort()).toEqual([
        'hygiene-admin-a',
        'hygiene-self-issued',
        'hygiene-tenant-a',
      ]);
      for (const record of records) {
        expect(record.sealed_response).not.toBeNull();
        const bytes = record.sealed_response!;
        expect(bytes.toString('utf8')).not.toMatch(/kwc_|"token"|hygiene-a/);
        expect(bytes.toString('latin1')).not.toMatch(/kwc_|"token"/);
      }
    });
  });
});
