// docs/api.md, "Conventions", "Errors", "Headers" and "Operations routes": request ids, problem details for every kind of bad input,
// health, readiness, metrics, OpenAPI and docs on every port, and the admin API's rate limit.
import { randomUUID } from 'node:crypto';
import { createCredential, createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client, request, type TestResponse } from './support/http-client';
import { startAdminApi, startVerify, startWorker, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

const PROBLEM_FIELDS = ['code', 'detail', 'requestId', 'status', 'title', 'type'];
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The problem shape of docs/api.md (Errors), exactly: no other members, matching status, the response's request id, no stack. */
function expectProblem(response: TestResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const fields = Object.keys(response.body).sort();
  expect(fields.filter((field) => field !== 'errors')).toEqual(PROBLEM_FIELDS);
  expect(response.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(response.body.type.length).toBeGreaterThan(0);
  expect(response.body.requestId).toBe(response.headers.get('x-request-id'));
  if (response.body.errors !== undefined) {
    expect(Array.isArray(response.body.errors)).toBe(true);
    for (const error of response.body.errors) expect(Object.keys(error).sort()).toEqual(['field', 'message']);
  }
  const text = JSON.stringify(response.body);
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toMatch(/node_modules|\.ts:\d|stack/i);
}

function fieldsOf(response: TestResponse): string[] {
  return (response.body.errors ?? []).map((error: { field: string }) => error.field);
}

/** Tenants with one of the names the malformed bodies below carry (other suites create tenants meanwhile). */
async function tenantCount(): Promise<number> {
  const [row] = await sql<{ count: string }>('owner', `SELECT count(*) FROM tenants WHERE name IN ('half', 'plain', 'big', 'extra', '7')`);
  return Number(row.count);
}

// The apps live until the end of the file: apps in one process share passport's global strategy
// registry, so closing one early would break the others' authentication.
describe('conventions', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  /** An admin API with BODY_LIMIT_BYTES=2048. */
  let small: RunningHttpApp;
  /** An admin API with ADMIN_RATE_LIMIT_PER_MINUTE=5. */
  let limited: RunningHttpApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = await startAdminApi();
    verify = await startVerify();
    small = await startAdminApi({ env: { BODY_LIMIT_BYTES: '2048' } });
    limited = await startAdminApi({ env: { ADMIN_RATE_LIMIT_PER_MINUTE: '5' } });
    tenant = await createTenant(admin.url);
  });
  afterAll(async () => {
    for (const app of [limited, small, verify, admin]) await app.close();
  });

  /** Each HTTP service, with a POST route that takes a JSON body and a caller allowed to use it. */
  const SERVICES = [
    {
      service: 'admin API',
      url: () => admin.url,
      token: () => TEST_PLATFORM_TOKEN,
      postPath: '/v1/tenants',
      validBody: () => ({ name: `conventions-${randomUUID().slice(0, 8)}` }),
      okStatus: 201,
    },
    {
      service: 'verify service',
      url: () => verify.url,
      token: () => tenant.verifier,
      postPath: '/v1/verify',
      validBody: () => ({ key: 'kw_live_not-a-key' }),
      okStatus: 200,
    },
  ];

  describe.each(SERVICES)('$service', ({ url, token, postPath, validBody, okStatus }) => {
    const post = (options: { body?: unknown; rawBody?: string; headers?: Record<string, string> }) =>
      request(url(), 'POST', postPath, { token: token(), ...options });

    describe('X-Request-Id', () => {
      it('is on every response, different for each request without one', async () => {
        const responses = [
          await request(url(), 'GET', '/healthz'),
          await request(url(), 'GET', '/healthz'),
          await request(url(), 'GET', '/v1/no-such-route'),
          await post({ body: validBody() }),
          await request(url(), 'POST', postPath, { body: validBody() }), // 401
        ];

        const ids = responses.map((response) => response.headers.get('x-request-id'));
        for (const id of ids) expect(id).toMatch(VALID_REQUEST_ID);
        expect(new Set(ids).size).toBe(ids.length);
      });

      it.each([
        ['a uuid', randomUUID()],
        ['a trace-like id', 'trace-01:span_02.AbC'],
        ['128 characters', 'r'.repeat(128)],
      ])('echoes a valid incoming one (%s), on success and on problems alike', async (_case, id) => {
        const ok = await request(url(), 'GET', '/healthz', { headers: { 'x-request-id': id } });
        const problem = await request(url(), 'GET', '/v1/no-such-route', { headers: { 'x-request-id': id } });

        expect(ok.headers.get('x-request-id')).toBe(id);
        expect(problem.headers.get('x-request-id')).toBe(id);
        expect(problem.body.requestId).toBe(id);
      });

      it.each([
        ['one with spaces', 'has some spaces'],
        ['one of 300 characters', 'a'.repeat(300)],
        ['one of 129 characters', 'b'.repeat(129)],
        ['one with a slash and quotes', 'x/"y"'],
        ['one with a newline-like escape', 'abc%0d%0aSet-Cookie:x'],
      ])('replaces an invalid incoming one (%s) with a valid one of its own', async (_case, id) => {
        const response = await request(url(), 'GET', '/v1/no-such-route', { headers: { 'x-request-id': id } });

        const answered = response.headers.get('x-request-id');
        expect(answered).not.toBe(id);
        expect(answered).toMatch(VALID_REQUEST_ID);
        expect(response.body.requestId).toBe(answered);
      });
    });

    describe('problems', () => {
      it('answers an unknown route with 404 NOT_FOUND as problem+json', async () => {
        expectProblem(await request(url(), 'GET', '/v1/no-such-route'), 404, 'NOT_FOUND');
        expectProblem(await request(url(), 'POST', '/v1/no-such-route', { token: token(), body: {} }), 404, 'NOT_FOUND');
        expectProblem(await request(url(), 'GET', '/'), 404, 'NOT_FOUND');
      });

      it.each([
        ['a truncated object', '{"name": '],
        ['a trailing comma', '{"key": "x",}'],
        ['single quotes', "{'key': 'x'}"],
        ['bare text', 'hello'],
      ])('answers malformed JSON (%s) with 400 MALFORMED_JSON', async (_case, rawBody) => {
        const response = await post({ rawBody, headers: { 'content-type': 'application/json' } });

        expectProblem(response, 400, 'MALFORMED_JSON');
      });

      it('answers an empty body declared as JSON with a 400 problem', async () => {
        const response = await post({ rawBody: '', headers: { 'content-type': 'application/json' } });

        expect(response.status).toBe(400);
        expect(['MALFORMED_JSON', 'VALIDATION_FAILED', 'BAD_REQUEST']).toContain(response.body.code);
        expectProblem(response, 400, response.body.code);
      });

      it.each([
        ['text/plain', 'text/plain'],
        ['form data', 'application/x-www-form-urlencoded'],
        ['xml', 'application/xml'],
      ])('answers a %s body with 415 UNSUPPORTED_MEDIA_TYPE', async (_case, contentType) => {
        const response = await post({ rawBody: JSON.stringify(validBody()), headers: { 'content-type': contentType } });

        expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
      });

      it('accepts application/json with a charset parameter', async () => {
        const response = await post({
          rawBody: JSON.stringify(validBody()),
          headers: { 'content-type': 'application/json; charset=utf-8' },
        });

        expect(response.status).toBe(okStatus);
      });

      it('answers a body over the default 64 KiB limit with 413 PAYLOAD_TOO_LARGE', async () => {
        const rawBody = JSON.stringify({ ...validBody(), padding: 'x'.repeat(64 * 1024) });

        const response = await post({ rawBody, headers: { 'content-type': 'application/json' } });

        expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
      });

      it('answers an unknown field with 400 VALIDATION_FAILED naming it in errors', async () => {
        const response = await post({ body: { ...validBody(), surprise: true } });

        expectProblem(response, 400, 'VALIDATION_FAILED');
        expect(fieldsOf(response)).toContain('surprise');
      });

      it.each([
        ['an array', []],
        ['a string', 'just a string'],
        ['a number', 42],
        ['null', null],
      ])('answers a JSON body that is %s with a 400 problem', async (_case, body) => {
        const response = await post({ rawBody: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

        expect(response.status).toBe(400);
        expectProblem(response, 400, response.body.code);
        expect(['VALIDATION_FAILED', 'MALFORMED_JSON']).toContain(response.body.code);
      });

      it('answers a missing bearer token with a 401 problem carrying WWW-Authenticate: Bearer', async () => {
        const response = await request(url(), 'POST', postPath, { body: validBody() });

        expectProblem(response, 401, 'UNAUTHENTICATED');
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      });
    });

    describe('operations endpoints', () => {
      it('answers GET /healthz with 200 and no credential', async () => {
        const response = await request(url(), 'GET', '/healthz');

        expect(response.status).toBe(200);
        expect(response.body).toEqual({ status: 'ok' });
      });

      it('answers GET /readyz with 200 and every dependency up', async () => {
        const response = await request(url(), 'GET', '/readyz');

        expect(response.status).toBe(200);
        expect(response.body.status).toBe('ready');
        expect(response.body.checks).toMatchObject({ postgres: 'up', redis: 'up' });
        expect(Object.values(response.body.checks).every((state) => state === 'up')).toBe(true);
      });

      it('answers GET /metrics with Prometheus text: request durations by route template and process metrics', async () => {
        await request(url(), 'GET', '/healthz');

        const response = await request(url(), 'GET', '/metrics');

        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
        const text = response.body as string;
        expect(text).toMatch(/^# HELP http_request_duration_seconds /m);
        expect(text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
        expect(text).toMatch(/^http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*\} \d+/m);
        expect(text).toMatch(/^process_cpu_user_seconds_total\b/m);
        expect(text).toMatch(/^process_resident_memory_bytes\b/m);
        expect(text).toMatch(/^nodejs_eventloop_lag_seconds\b/m);
      });

      it('answers GET /openapi.json with an OpenAPI 3 document whose Problem schema lists the contract codes', async () => {
        const response = await request(url(), 'GET', '/openapi.json');

        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(response.body.openapi).toMatch(/^3\.\d+\.\d+$/);
        expect(response.body.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
        expect(typeof response.body.paths).toBe('object');
        const codes: string[] = response.body.components.schemas.Problem.properties.code.enum;
        for (const code of [
          'VALIDATION_FAILED',
          'UNAUTHENTICATED',
          'FORBIDDEN',
          'NOT_FOUND',
          'CONFLICT',
          'RATE_LIMITED',
          'IDEMPOTENCY_KEY_REUSED',
          'IDEMPOTENCY_KEY_IN_USE',
        ]) {
          expect(codes).toContain(code);
        }
        expect(response.body.components.schemas.Problem.required).toEqual(expect.arrayContaining(PROBLEM_FIELDS));
      });

      it('answers GET /docs with an HTML page, whose scripts are served too', async () => {
        const page = await fetch(`${url()}/docs`);
        const html = await page.text();

        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        expect(html).toMatch(/<html/i);
        expect(html).toContain('swagger-ui');
        for (const asset of html.match(/(?:src|href)="(\/docs\/[^"]+)"/g) ?? []) {
          const path = asset.replace(/^(?:src|href)="/, '').replace(/"$/, '');
          const served = await fetch(`${url()}${path}`);
          // Read to the end: a body left unread keeps its connection open past the end of the run.
          await served.arrayBuffer();
          expect(served.status).toBe(200);
        }
      });
    });
  });

  describe('admin API specifics', () => {
    it("describes the admin API's paths in its OpenAPI document", async () => {
      const document = (await request(admin.url, 'GET', '/openapi.json')).body;

      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining([
          '/v1/tenants',
          '/v1/tenants/{tenantId}',
          '/v1/credentials',
          '/v1/tenants/{tenantId}/credentials',
          '/v1/credentials/{credentialId}',
        ]),
      );
      expect(document.paths['/v1/verify']).toBeUndefined();
    });

    it('labels request durations with the route template, never the raw id', async () => {
      const id = randomUUID();
      await client(admin.url, TEST_PLATFORM_TOKEN).get(`/v1/tenants/${tenant.id}`);
      await client(admin.url, TEST_PLATFORM_TOKEN).get(`/v1/tenants/${id}`);

      const text = (await request(admin.url, 'GET', '/metrics')).body as string;

      expect(text).toMatch(/route="\/v1\/tenants\/:tenantId"/);
      expect(text).not.toContain(id);
      expect(text).not.toContain(tenant.id);
    });

    it('changes nothing when refusing malformed bodies', async () => {
      const before = await tenantCount();
      const headers = { 'content-type': 'application/json' };
      const platform = (options: { rawBody?: string; body?: unknown; headers?: Record<string, string> }) =>
        request(admin.url, 'POST', '/v1/tenants', { token: TEST_PLATFORM_TOKEN, ...options });

      const answers = [
        await platform({ rawBody: '{"name": "half', headers }),
        await platform({ rawBody: '{"name":"plain"}', headers: { 'content-type': 'text/plain' } }),
        await platform({ rawBody: JSON.stringify({ name: 'big', pad: 'x'.repeat(70_000) }), headers }),
        await platform({ body: { name: 'extra', extra: 1 } }),
        await platform({ body: { name: 7 } }),
      ];

      expect(answers.map((answer) => answer.status)).toEqual([400, 415, 413, 400, 400]);
      expect(await tenantCount()).toBe(before);
    });
  });

  describe('verify service specifics', () => {
    it("describes POST /v1/verify in the verify port's OpenAPI document", async () => {
      const document = (await request(verify.url, 'GET', '/openapi.json')).body;

      expect(document.paths['/v1/verify']?.post).toBeDefined();
      expect(document.paths['/v1/tenants']).toBeUndefined();
    });

    it.each([
      ['no key', {}, 'key'],
      ['a numeric key', { key: 5 }, 'key'],
      ['a cost of zero', { key: 'x', cost: 0 }, 'cost'],
      ['scopes that are not an array', { key: 'x', scopes: 'read' }, 'scopes'],
    ])('answers a body with %s with 400 VALIDATION_FAILED naming the field', async (_case, body, field) => {
      const response = await client(verify.url, tenant.verifier).post('/v1/verify', body);

      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(response).some((name) => name === field || name.startsWith(`${field}.`))).toBe(true);
    });
  });

  describe('body limit from BODY_LIMIT_BYTES', () => {
    function paddedTenantBody(totalBytes: number): string {
      const head = `{"name":"limit-${totalBytes}"`;
      return head + ' '.repeat(totalBytes - head.length - 1) + '}';
    }

    it('accepts a body of exactly the limit', async () => {
      const rawBody = paddedTenantBody(2048);
      expect(Buffer.byteLength(rawBody)).toBe(2048);

      const response = await request(small.url, 'POST', '/v1/tenants', {
        token: TEST_PLATFORM_TOKEN,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });

      expect(response.status).toBe(201);
    });

    it('answers a body one byte over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
      const rawBody = paddedTenantBody(2049);

      const response = await request(small.url, 'POST', '/v1/tenants', {
        token: TEST_PLATFORM_TOKEN,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });

      expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
    });
  });

  describe('worker operations port', () => {
    let worker: Awaited<ReturnType<typeof startWorker>>;
    beforeAll(async () => {
      worker = await startWorker();
    });
    afterAll(async () => {
      await worker.close();
    });

    it('answers GET /healthz with 200', async () => {
      const response = await request(worker.url, 'GET', '/healthz');

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok' });
    });

    it('answers GET /readyz with 200 and every dependency up', async () => {
      const response = await request(worker.url, 'GET', '/readyz');

      expect(response.status).toBe(200);
      expect(response.body.status).toBe('ready');
      expect(response.body.checks).toMatchObject({ postgres: 'up', redis: 'up' });
    });

    it('answers GET /metrics with Prometheus text including process metrics of the worker', async () => {
      const response = await request(worker.url, 'GET', '/metrics');

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(response.body).toMatch(/^process_cpu_user_seconds_total\{[^}]*service="worker"[^}]*\} /m);
      expect(response.body).toMatch(/^process_resident_memory_bytes\b/m);
    });
  });

  describe('admin rate limit (ADMIN_RATE_LIMIT_PER_MINUTE=5)', () => {
    let limitedTenant: TestTenant;
    let secondAdmin: { id: string; token: string };

    beforeAll(async () => {
      // Made through the unlimited API: these calls count against the platform token, not the tenant's.
      limitedTenant = await createTenant(admin.url);
      secondAdmin = await createCredential(admin.url, limitedTenant.id, 'admin', 'second-admin');
    });

    it("answers a credential's 6th request in the minute with 429 RATE_LIMITED and Retry-After; another credential is unaffected", async () => {
      // Windows are fixed minutes: start well inside one, so all six requests share it.
      const leftInWindow = 60_000 - (Date.now() % 60_000);
      if (leftInWindow < 8_000) await sleep(leftInWindow + 50);
      const first = client(limited.url, limitedTenant.admin);

      const allowed = [];
      for (let i = 0; i < 5; i++) allowed.push((await first.get('/v1/credentials')).status);
      const sixth = await first.get('/v1/credentials');
      const other = await client(limited.url, secondAdmin.token).get('/v1/credentials');

      expect(allowed).toEqual([200, 200, 200, 200, 200]);
      expectProblem(sixth, 429, 'RATE_LIMITED');
      const retryAfter = sixth.headers.get('retry-after');
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);
      expect(other.status).toBe(200);
    }, 20_000);
  });
});
