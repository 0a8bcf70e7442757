// docs/api.md, Conventions ("Malformed input of any kind"): property-based tests that throw arbitrary
// bodies, query strings, path ids and headers at the admin API and the verify service, and check
// that every answer is a well-formed 4xx problem (never a 5xx) and that nothing was written.
import { generateCredentialToken } from '@keyward/credentials';
import fc from 'fast-check';
import { isUtf8 } from 'node:buffer';
import { createCredential, createTenant, type TestTenant } from './support/builders';
import { sql, useOwnDatabase } from './support/database';
import { client, request, type TestResponse } from './support/http-client';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

const NUM_RUNS = 80;
/** BODY_LIMIT_BYTES default: 64 KiB. */
const BODY_LIMIT_BYTES = 64 * 1024;
const ROLES = ['admin', 'auditor', 'verifier'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------------------------------------
// What every refusal must look like
// ---------------------------------------------------------------------------------------------

/** Fails unless `response` is below 500 and, when not 2xx, an RFC 9457 problem matching its status. */
function expectWellFormedAnswer(response: TestResponse, context: string): void {
  const where = `${context} -> ${response.status} ${JSON.stringify(response.body)?.slice(0, 300)}`;
  if (response.status >= 500) throw new Error(`server error for ${where}`);
  if (response.status < 300) return;
  expect(response.headers.get('content-type') ?? '').toMatch(/^application\/problem\+json/);
  const problem = response.body;
  if (typeof problem !== 'object' || problem === null) throw new Error(`problem body is not an object: ${where}`);
  expect(problem).toEqual(
    expect.objectContaining({
      type: expect.any(String),
      title: expect.any(String),
      status: response.status,
      detail: expect.any(String),
      code: expect.stringMatching(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/),
      requestId: response.headers.get('x-request-id'),
    }),
  );
  expect(problem.title.length).toBeGreaterThan(0);
  expect(problem.requestId.length).toBeGreaterThan(0);
  expect(JSON.stringify(problem)).not.toMatch(/\n\s+at /);
  if (problem.code === 'VALIDATION_FAILED') {
    expect(problem.status).toBe(400);
    expect(Array.isArray(problem.errors)).toBe(true);
    expect(problem.errors.length).toBeGreaterThan(0);
    for (const fieldError of problem.errors) {
      expect(fieldError).toEqual({ field: expect.any(String), message: expect.any(String) });
      expect(fieldError.message.length).toBeGreaterThan(0);
    }
  }
}

function expectProblem(response: TestResponse, status: number, code: string | string[], context: string): void {
  expectWellFormedAnswer(response, context);
  const codes = Array.isArray(code) ? code : [code];
  if (response.status !== status || !codes.includes(response.body?.code)) {
    throw new Error(
      `expected ${status} ${codes.join('|')} for ${context}, got ${response.status} ${JSON.stringify(response.body)?.slice(0, 300)}`,
    );
  }
}

function fieldsOf(response: TestResponse): string[] {
  return ((response.body?.errors ?? []) as Array<{ field: string }>).map((fieldError) => fieldError.field);
}

/**
 * A 400 VALIDATION_FAILED naming `field` (or a path inside it). A body carrying a prototype-poisoning
 * key may instead be refused whole by the JSON parser, as MALFORMED_JSON.
 */
function expectFieldRefused(response: TestResponse, sentText: string | undefined, field: string, context: string): void {
  if (hasPoisoningKey(sentText) && response.body?.code === 'MALFORMED_JSON') {
    expectProblem(response, 400, 'MALFORMED_JSON', context);
    return;
  }
  expectProblem(response, 400, 'VALIDATION_FAILED', context);
  const fields = fieldsOf(response);
  if (!fields.some((named) => named === field || named.startsWith(`${field}.`))) {
    throw new Error(`${context}: errors ${JSON.stringify(response.body.errors)} do not name ${JSON.stringify(field)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Nothing written
// ---------------------------------------------------------------------------------------------

interface WriteCounts {
  tenants: number;
  credentials: number;
  revokedCredentials: number;
  suspendedTenants: number;
  idempotencyRecords: number;
  keys: number;
  webhooks: number;
  /** Every change of the admin API is audited: this catches any write the others miss. */
  auditEvents: number;
}

async function writeCounts(): Promise<WriteCounts> {
  const [row] = await sql<WriteCounts>(
    'owner',
    `SELECT (SELECT count(*) FROM tenants)::int AS "tenants",
            (SELECT count(*) FROM credentials)::int AS "credentials",
            (SELECT count(*) FROM credentials WHERE revoked_at IS NOT NULL)::int AS "revokedCredentials",
            (SELECT count(*) FROM tenants WHERE status <> 'active')::int AS "suspendedTenants",
            (SELECT count(*) FROM idempotency_records)::int AS "idempotencyRecords",
            (SELECT count(*) FROM api_keys)::int AS "keys",
            (SELECT count(*) FROM webhook_subscriptions)::int AS "webhooks",
            (SELECT count(*) FROM roles)::int AS "roles",
            (SELECT count(*) FROM audit_events)::int AS "auditEvents"`,
  );
  return row;
}

/** Runs a property whose every request must be refused, and checks that the database did not change. */
async function assertRefusedWithoutWrites<Ts>(property: fc.IAsyncProperty<Ts>, numRuns = NUM_RUNS): Promise<void> {
  const before = await writeCounts();
  await fc.assert(property, { numRuns });
  expect(await writeCounts()).toEqual(before);
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

type Json = unknown;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Conservative: true for every body that could create a tenant (and for some that could not). */
function tenantBodyMightBeValid(body: Json): boolean {
  return isPlainObject(body) && Object.keys(body).every((name) => name === 'name') && typeof body.name === 'string';
}

function credentialBodyMightBeValid(body: Json): boolean {
  return (
    isPlainObject(body) &&
    Object.keys(body).every((name) => ['name', 'role', 'expiresAt'].includes(name)) &&
    typeof body.name === 'string' &&
    ROLES.includes(body.role as string)
  );
}

function verifyBodyMightBeValid(body: Json): boolean {
  return (
    isPlainObject(body) &&
    Object.keys(body).every((name) => ['key', 'scopes', 'scopeQuery', 'ip', 'cost'].includes(name)) &&
    typeof body.key === 'string'
  );
}

/** What the server receives for `value`: its JSON text, or no body at all for `undefined`. */
function wire(value: unknown): string | undefined {
  return JSON.stringify(value);
}

function received(value: unknown): Json {
  const text = wire(value);
  return text === undefined ? undefined : JSON.parse(text);
}

/** The body as the server's JSON parser reads it (it skips a leading byte-order mark), or `ok: false`. */
function serverParse(text: string): { ok: boolean; value?: unknown } {
  try {
    return { ok: true, value: JSON.parse(text.replace(/^\ufeff/, '')) };
  } catch {
    return { ok: false };
  }
}

/** secure-json-parse refuses these keys (prototype poisoning); such a body is MALFORMED_JSON. */
function hasPoisoningKey(text: string | undefined): boolean {
  return text !== undefined && /"(__proto__|constructor)"\s*:/.test(text);
}

/** Arbitrary values as JSON bodies: scalars, arrays, objects with junk, nested deep. */
const anyJsonBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.anything({ maxDepth: 3, withNullPrototype: true }),
  fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.constantFrom(null, true, false, 0, -1, 1e308, '', 'name', [], {}, [{ name: 'x' }], { name: null }, { Name: 'x' }),
);

/** Any text as a raw body, valid JSON or not. */
const anyRawBody: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ maxLength: 60 }),
  fc.json({ maxDepth: 3 }).map((text) => text.slice(0, Math.max(0, text.length - 1))),
  fc.constantFrom(
    '',
    ' ',
    '{',
    '}',
    '{"name":',
    '{"name": "x",}',
    "{'name': 'x'}",
    '[1,2',
    'nul',
    'NaN',
    '\u0000',
    '\ufeff{}',
    '{"name":"x"}{"name":"y"}',
  ),
);

const notAString: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

/** A field name other than the allowed ones (and other than `__proto__`, which JSON parsing refuses). */
function unknownFieldName(allowed: string[]): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
      fc.constantFrom('id', 'tenantId', 'status', 'NAME', 'name ', 'role\u0000', 'admin', 'token', 'isAdmin'),
      // Named like members of Object.prototype, or like a class's own `prototype`: a DTO transformer
      // may skip these without a word (class-transformer did skip `prototype`).
      fc.constantFrom(
        'toString',
        'valueOf',
        'hasOwnProperty',
        'constructor',
        'isPrototypeOf',
        '__defineGetter__',
        'toLocaleString',
        'prototype',
      ),
    )
    .filter((name) => !allowed.includes(name) && name !== '__proto__');
}

/** A string of `length` repetitions of one arbitrary character (some are multi-byte in UTF-8). */
const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.integer({ min: 201, max: 120_000 }))
  .map(([unit, length]) => unit.repeat(length));

/** Strings that are not an ISO-8601 instant a credential could expire at (dates of other shapes included). */
const notAnExpiryDate: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 30 }).filter((text) => Number.isNaN(Date.parse(text))),
  fc.constantFrom(
    'tomorrow',
    '2999-02-30T00:00:00Z',
    '2999-13-01T00:00:00Z',
    '2999-12-31T25:00:00Z',
    '2999-12-31 12:00:00Z',
    '2999-W01-1',
    '2999W011',
    '2999-123',
    '2999123',
    '1999-01-01T00:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '-000001-01-01T00:00:00Z',
    '2999-01-01',
    '2999-01-01T00:00Z',
    '2999-01-01T00:00:00',
    '2999-01-01t00:00:00z',
  ),
  // null is absent: it means "never expires".
  notAString.filter((value) => value !== null),
);

/** Arbitrary path ids (unicode included), not ones the URL parser would resolve to another route. */
const anyPathId: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    fc.string({ minLength: 1, maxLength: 300 }),
    fc.integer({ min: 90, max: 3000 }).map((length) => 'a'.repeat(length)),
    fc.uuid(),
    fc.uuid().map((id) => id.toUpperCase()),
    fc.uuid().map((id) => ` ${id}`),
    fc.uuid().map((id) => `${id}x`),
    fc.uuid().map((id) => id.replace(/-/g, '')),
    fc.constantFrom(
      'null',
      'undefined',
      '0',
      '-1',
      "' OR '1'='1",
      '../credentials',
      '%00',
      '00000000-0000-0000-0000-000000000000',
      'suspend',
    ),
  )
  .filter((id) => !['.', '..'].includes(id));

/** A path segment of arbitrary percent-encoded bytes (invalid UTF-8 included). */
const percentEncodedBytes: fc.Arbitrary<string> = fc
  .uint8Array({ minLength: 1, maxLength: 24 })
  .map((bytes) => Array.from(bytes, (byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join(''))
  .filter((segment) => !['%2E', '%2E%2E'].includes(segment));

/** Printable ASCII Idempotency-Keys (valid ones included), or none. */
const maybeIdempotencyKey: fc.Arbitrary<string | undefined> = fc.option(fc.string({ minLength: 1, maxLength: 255 }), { nil: undefined });

// ---------------------------------------------------------------------------------------------
// Hostile generators: nesting past the limit, NUL characters, bytes that are not UTF-8
// (docs/input-validation.md)
// ---------------------------------------------------------------------------------------------

/** A request body may nest 32 levels, the body itself counting as one. */
const MAX_JSON_DEPTH = 32;

/**
 * JSON text of `depth` containers one inside the other, arrays or objects as the bits of `pattern`
 * say (level by level), around a scalar: a value nested `depth` levels below where it is put.
 */
function nestedText(depth: number, pattern: number, inner: string): string {
  let open = '';
  let close = '';
  for (let level = 0; level < depth; level++) {
    const isArray = ((pattern >>> (level % 31)) & 1) === 1;
    open += isArray ? '[' : '{"k":';
    close = (isArray ? ']' : '}') + close;
  }
  return open + inner + close;
}

/** Nesting that puts a top-level field past the limit: 32 to 3,000 levels, arrays and objects mixed. */
const tooDeep: fc.Arbitrary<{ depth: number; pattern: number; inner: string }> = fc.record({
  depth: fc.oneof(fc.integer({ min: MAX_JSON_DEPTH, max: MAX_JSON_DEPTH + 3 }), fc.integer({ min: MAX_JSON_DEPTH, max: 3000 })),
  pattern: fc.integer({ min: 0, max: 0x7fffffff }),
  inner: fc.constantFrom('1', '"x"', 'null', '[]', '{}', 'true'),
});

/** A string with at least one NUL somewhere in it. */
const withNul: fc.Arbitrary<string> = fc
  .tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), fc.integer({ min: 1, max: 3 }))
  .map(([before, after, count]) => `${before}${'\u0000'.repeat(count)}${after}`);

/** Byte sequences that are not UTF-8: stray continuation bytes, bytes UTF-8 never uses, cut or overlong sequences, surrogates. */
const notUtf8: fc.Arbitrary<Buffer> = fc.oneof(
  fc.integer({ min: 0x80, max: 0xbf }).map((byte) => Buffer.from([byte])),
  fc.constantFrom(0xc0, 0xc1, 0xf5, 0xf8, 0xfe, 0xff).map((byte) => Buffer.from([byte])),
  fc
    .constantFrom(
      [0xc3],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x94],
      [0xe0, 0x80, 0xaf],
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xed, 0xbf, 0xbf],
      [0xf4, 0x90, 0x80, 0x80],
    )
    .map((bytes) => Buffer.from(bytes)),
  fc
    .uint8Array({ minLength: 1, maxLength: 6 })
    .map((bytes) => Buffer.from(bytes))
    .filter((bytes) => !isUtf8(bytes)),
);

/**
 * `text` with `bytes` put in at a position chosen by `where` (0..1), as the bytes a client sends:
 * anywhere, or (`inString`) just after a quote, inside a field name or a string value, where the
 * JSON stays well-formed but for the bytes.
 */
function spliceBytes(text: string, bytes: Buffer, where: number, inString: boolean): Buffer {
  const encoded = Buffer.from(text, 'utf8');
  const quotes = [...encoded.keys()].filter((index) => encoded[index] === 0x22).map((index) => index + 1);
  const positions = inString && quotes.length > 0 ? quotes : [...Array(encoded.length + 1).keys()];
  const at = positions[Math.min(positions.length - 1, Math.floor(where * positions.length))];
  return Buffer.concat([encoded.subarray(0, at), bytes, encoded.subarray(at)]);
}

// ---------------------------------------------------------------------------------------------

describe('malformed input (property-based)', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let tenant: TestTenant;
  /** A credential of another tenant: its id must be unreachable for `tenant`'s admin. */
  let foreignCredentialId: string;

  let leaveOwnDatabase: () => Promise<void>;

  beforeAll(async () => {
    // Row counts must not see the suites that run in parallel: this suite has a database of its own.
    leaveOwnDatabase = await useOwnDatabase();
    // The properties send thousands of requests per minute with one credential.
    admin = await startAdminApi({ env: { ADMIN_RATE_LIMIT_PER_MINUTE: '10000000' } });
    verify = await startVerify();
    tenant = await createTenant(admin.url);
    const other = await createTenant(admin.url);
    foreignCredentialId = (await createCredential(admin.url, other.id, 'admin', 'foreign')).id;
  }, 60_000);

  afterAll(async () => {
    await admin?.close();
    await verify?.close();
    await leaveOwnDatabase?.();
  });

  function post(base: string, path: string, token: string | undefined, body: unknown, headers: Record<string, string> = {}) {
    const text = wire(body);
    return request(base, 'POST', path, {
      token,
      rawBody: text,
      headers: text === undefined ? headers : { 'content-type': 'application/json', ...headers },
    });
  }

  function postRaw(base: string, path: string, token: string | undefined, rawBody: string, contentType = 'application/json') {
    return request(base, 'POST', path, { token, rawBody, headers: { 'content-type': contentType } });
  }

  /** The JSON-body endpoints of the admin API, with the caller each needs and a valid body. */
  const adminBodyEndpoints = () => [
    { name: 'POST /v1/tenants', path: '/v1/tenants', token: TEST_PLATFORM_TOKEN, mightBeValid: tenantBodyMightBeValid },
    {
      name: 'POST /v1/tenants/{id}/credentials',
      path: `/v1/tenants/${tenant.id}/credentials`,
      token: TEST_PLATFORM_TOKEN,
      mightBeValid: credentialBodyMightBeValid,
    },
    { name: 'POST /v1/credentials', path: '/v1/credentials', token: tenant.admin, mightBeValid: credentialBodyMightBeValid },
  ];

  describe('JSON bodies on the admin API', () => {
    it.each(['POST /v1/tenants', 'POST /v1/tenants/{id}/credentials', 'POST /v1/credentials'])(
      '%s answers an arbitrary JSON value that is not a valid body with 400 and writes nothing',
      async (name) => {
        const endpoint = adminBodyEndpoints().find((candidate) => candidate.name === name)!;
        await assertRefusedWithoutWrites(
          fc.asyncProperty(
            anyJsonBody.filter((value) => !endpoint.mightBeValid(received(value))),
            maybeIdempotencyKey,
            async (body, idempotencyKey) => {
              const headers: Record<string, string> = idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey };
              const response = await post(admin.url, endpoint.path, endpoint.token, body, headers);
              const codes = hasPoisoningKey(wire(body)) ? ['VALIDATION_FAILED', 'MALFORMED_JSON'] : ['VALIDATION_FAILED'];
              expectProblem(response, 400, codes, `${name} ${wire(body)}`);
            },
          ),
        );
      },
    );

    it.each(['POST /v1/tenants', 'POST /v1/tenants/{id}/credentials', 'POST /v1/credentials'])(
      '%s answers an arbitrary raw application/json body that is not a valid body with 400 and writes nothing',
      async (name) => {
        const endpoint = adminBodyEndpoints().find((candidate) => candidate.name === name)!;
        await assertRefusedWithoutWrites(
          fc.asyncProperty(
            anyRawBody.filter((text) => {
              const parsed = serverParse(text);
              return !parsed.ok || !endpoint.mightBeValid(parsed.value);
            }),
            async (text) => {
              const response = await postRaw(admin.url, endpoint.path, endpoint.token, text);
              const parsed = serverParse(text);
              const codes = !parsed.ok
                ? ['MALFORMED_JSON']
                : hasPoisoningKey(text)
                  ? ['VALIDATION_FAILED', 'MALFORMED_JSON']
                  : ['VALIDATION_FAILED'];
              expectProblem(response, 400, codes, `${name} raw ${JSON.stringify(text)}`);
            },
          ),
        );
      },
    );

    it('POST /v1/tenants names the field of a name of the wrong type', async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(notAString, async (name) => {
          const response = await post(admin.url, '/v1/tenants', TEST_PLATFORM_TOKEN, { name });
          expectFieldRefused(response, wire({ name }), 'name', `name ${JSON.stringify(name)}`);
        }),
      );
    });

    it('POST /v1/tenants refuses a name over 200 characters with 400 naming it, or 413 past the body limit', async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(hugeString, async (name) => {
          const text = JSON.stringify({ name });
          const response = await postRaw(admin.url, '/v1/tenants', TEST_PLATFORM_TOKEN, text);
          if (Buffer.byteLength(text) > BODY_LIMIT_BYTES) {
            expectProblem(response, 413, 'PAYLOAD_TOO_LARGE', `name of ${name.length} characters`);
          } else {
            expectProblem(response, 400, 'VALIDATION_FAILED', `name of ${name.length} characters`);
            expect(fieldsOf(response)).toContain('name');
          }
        }),
        40,
      );
    });

    it.each(['POST /v1/tenants', 'POST /v1/tenants/{id}/credentials', 'POST /v1/credentials'])(
      '%s refuses an otherwise valid body with an unknown field, naming that field',
      async (name) => {
        const endpoint = adminBodyEndpoints().find((candidate) => candidate.name === name)!;
        const valid = name === 'POST /v1/tenants' ? { name: 'fine' } : { name: 'fine', role: 'auditor' };
        await assertRefusedWithoutWrites(
          fc.asyncProperty(
            unknownFieldName(Object.keys(valid).concat('expiresAt')),
            fc.jsonValue({ maxDepth: 3 }),
            async (field, value) => {
              const body = { ...valid, [field]: value };
              const response = await post(admin.url, endpoint.path, endpoint.token, body);
              expectFieldRefused(response, wire(body), field, `${name} ${wire(body)}`);
            },
          ),
        );
      },
    );

    it.each(['POST /v1/tenants/{id}/credentials', 'POST /v1/credentials'])(
      '%s names role and expiresAt when they are wrong',
      async (name) => {
        const endpoint = adminBodyEndpoints().find((candidate) => candidate.name === name)!;
        const badRole = fc.oneof(
          fc.string({ maxLength: 20 }).filter((role) => !ROLES.includes(role)),
          fc.constantFrom('Admin', 'ADMIN', ' admin', 'platform', 'owner', ''),
          notAString,
        );
        await assertRefusedWithoutWrites(
          fc.asyncProperty(
            fc.oneof(
              badRole.map((role) => ({ body: { name: 'ok', role }, field: 'role' })),
              notAnExpiryDate.map((expiresAt) => ({ body: { name: 'ok', role: 'admin', expiresAt }, field: 'expiresAt' })),
              notAString.map((credentialName) => ({ body: { name: credentialName, role: 'admin' }, field: 'name' })),
              fc.constant({ body: { name: '', role: 'admin' }, field: 'name' }),
              fc.constant({ body: { role: 'admin' }, field: 'name' }),
              fc.constant({ body: { name: 'ok' }, field: 'role' }),
            ),
            async ({ body, field }) => {
              const response = await post(admin.url, endpoint.path, endpoint.token, body);
              expectFieldRefused(response, wire(body), field, `${name} ${wire(body)}`);
            },
          ),
        );
      },
    );

    it('a body over the limit is 413 and one that is not application/json is 415, on every body endpoint', async () => {
      const contentTypes = fc.oneof(
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'text/json',
          'application/jsonp',
          'application/json-patch+json',
        ),
        fc
          .tuple(fc.stringMatching(/^[a-z]{1,10}$/), fc.stringMatching(/^[a-z0-9.+-]{1,12}$/))
          .map(([type, subtype]) => `${type}/${subtype}`),
      );
      await assertRefusedWithoutWrites(
        fc.asyncProperty(
          fc.constantFrom(...adminBodyEndpoints()),
          contentTypes.filter((type) => !/^application\/json\s*(;|$)/i.test(type)),
          fc.integer({ min: 0, max: 2 }),
          async (endpoint, contentType, variant) => {
            if (variant === 0) {
              const response = await postRaw(
                admin.url,
                endpoint.path,
                endpoint.token,
                JSON.stringify({ name: 'ok', role: 'admin' }),
                contentType,
              );
              expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE', `${endpoint.name} as ${contentType}`);
            } else {
              const padding = 'x'.repeat(BODY_LIMIT_BYTES + variant * 1000);
              const response = await postRaw(
                admin.url,
                endpoint.path,
                endpoint.token,
                JSON.stringify({ name: 'ok', role: 'admin', padding }),
              );
              expectProblem(response, 413, 'PAYLOAD_TOO_LARGE', `${endpoint.name} oversized`);
            }
          },
        ),
        40,
      );
    });

    it('an Idempotency-Key first sent with a refused body still works for the valid body that follows', async () => {
      const platform = client(admin.url, TEST_PLATFORM_TOKEN);
      const headers = { 'idempotency-key': `bad-then-good-${Date.now()}` };
      const refused = await platform.post('/v1/tenants', { name: 42 }, { headers });
      expectProblem(refused, 400, 'VALIDATION_FAILED', 'bad body with a fresh Idempotency-Key');
      const created = await platform.post('/v1/tenants', { name: 'after a refusal' }, { headers });
      expect(created.status).toBe(201);
      const replayed = await platform.post('/v1/tenants', { name: 'after a refusal' }, { headers });
      expect(replayed.status).toBe(201);
      expect(replayed.body).toEqual(created.body);
    });
  });

  describe('query strings of the lists', () => {
    const lists = () => [
      { name: 'GET /v1/tenants', path: '/v1/tenants', token: TEST_PLATFORM_TOKEN },
      { name: 'GET /v1/credentials', path: '/v1/credentials', token: tenant.admin },
      { name: 'GET /v1/tenants/{id}/credentials', path: `/v1/tenants/${tenant.id}/credentials`, token: TEST_PLATFORM_TOKEN },
    ];

    const limitValue = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.integer({ min: -1000, max: 1000 }).map(String),
      fc.double().map(String),
      fc.constantFrom('', ' ', '1', '100', '101', '0', '-0', '50.0', '1e2', '1e3', '0x10', 'Infinity', 'NaN', '5abc', '١٠', '10 '),
    );
    const cursorValue = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.base64String({ maxLength: 60 }),
      fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value) ?? '').toString('base64url')),
      fc.tuple(fc.string(), fc.string()).map((pair) => Buffer.from(JSON.stringify(pair)).toString('base64url')),
      fc.uuid().map((id) => Buffer.from(JSON.stringify(['not a date', id])).toString('base64url')),
      fc.uuid().map((id) => Buffer.from(JSON.stringify([42, id])).toString('base64url')),
      fc.string({ minLength: 513, maxLength: 700 }),
    );

    it.each(['GET /v1/tenants', 'GET /v1/credentials', 'GET /v1/tenants/{id}/credentials'])(
      '%s answers 200 only for a valid limit and no cursor, and names limit or cursor otherwise',
      async (name) => {
        const list = lists().find((candidate) => candidate.name === name)!;
        await assertRefusedWithoutWrites(
          fc.asyncProperty(fc.option(limitValue, { nil: undefined }), fc.option(cursorValue, { nil: undefined }), async (limit, cursor) => {
            const parts: string[] = [];
            if (limit !== undefined) parts.push(`limit=${encodeURIComponent(limit)}`);
            if (cursor !== undefined) parts.push(`cursor=${encodeURIComponent(cursor)}`);
            const path = `${list.path}?${parts.join('&')}`;
            const response = await request(admin.url, 'GET', path, { token: list.token });
            expectWellFormedAnswer(response, `${name} ${path}`);
            const limitNumber = limit === undefined ? 50 : Number(limit);
            const limitValid = Number.isInteger(limitNumber) && limitNumber >= 1 && limitNumber <= 100;
            if (cursor?.includes('\u0000') || limit?.includes('\u0000')) {
              // NUL is refused before the values are read (docs/input-validation.md): the answer names the field that holds it.
              expectProblem(response, 400, 'VALIDATION_FAILED', `${name} ${path}`);
              expect(fieldsOf(response)).toContain(cursor?.includes('\u0000') ? 'cursor' : 'limit');
            } else if (!limitValid) {
              expectProblem(response, 400, 'VALIDATION_FAILED', `${name} ${path}`);
              expect(fieldsOf(response)).toContain('limit');
            } else if (cursor) {
              expectProblem(response, 400, 'VALIDATION_FAILED', `${name} ${path}`);
              expect(fieldsOf(response)).toEqual(['cursor']);
            } else {
              expect(response.status).toBe(200);
              expect(Array.isArray(response.body.data)).toBe(true);
              expect(response.body.data.length).toBeLessThanOrEqual(limitNumber);
            }
          }),
        );
      },
    );

    it.each(['GET /v1/tenants', 'GET /v1/credentials', 'GET /v1/tenants/{id}/credentials'])(
      '%s answers an arbitrary raw query string with 200 or a 400 problem, never a 5xx',
      async (name) => {
        const list = lists().find((candidate) => candidate.name === name)!;
        const rawQuery = fc.oneof(
          fc.string({ unit: 'binary', maxLength: 60 }).map((text) => encodeURI(text).replace(/#/g, '%23')),
          fc
            .array(fc.tuple(fc.string({ unit: 'binary', maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 10 })), { maxLength: 4 })
            .map((pairs) => pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')),
          fc.constantFrom(
            'limit=1&limit=2',
            'limit[]=1',
            'limit[a]=1',
            'cursor=a&cursor=b',
            'limit=%',
            'limit=%zz',
            'cursor=%C0%AF',
            '%FF=1',
            '&&&',
            '=',
            'limit',
            'a=1&b=2&__proto__=x',
            'constructor[prototype][x]=1',
            'limit=1%00',
          ),
        );
        await assertRefusedWithoutWrites(
          fc.asyncProperty(rawQuery, async (query) => {
            const response = await request(admin.url, 'GET', `${list.path}?${query}`, { token: list.token });
            expectWellFormedAnswer(response, `${name} ?${query}`);
            expect([200, 400]).toContain(response.status);
          }),
        );
      },
    );
  });

  describe('path ids', () => {
    it('GET and DELETE /v1/roles/{name} answer 404 NOT_FOUND for any name that is not a role, and delete nothing', async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(
          fc.oneof(anyPathId.map(encodeURIComponent), percentEncodedBytes),
          fc.constantFrom('GET', 'DELETE'),
          async (segment, method) => {
            const response = await request(admin.url, method, `/v1/roles/${segment}`, { token: tenant.admin });
            expectProblem(response, 404, 'NOT_FOUND', `${method} /v1/roles/${segment}`);
          },
        ),
      );
    });

    it('GET /v1/tenants/{id} answers 404 NOT_FOUND for any id that is not a tenant', async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(anyPathId, async (id) => {
          const response = await request(admin.url, 'GET', `/v1/tenants/${encodeURIComponent(id)}`, { token: TEST_PLATFORM_TOKEN });
          expectProblem(response, 404, 'NOT_FOUND', `GET /v1/tenants/${JSON.stringify(id)}`);
        }),
      );
    });

    it('GET /v1/tenants/{id} answers 404 NOT_FOUND for a segment of arbitrary percent-encoded bytes', async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(percentEncodedBytes, async (segment) => {
          const response = await request(admin.url, 'GET', `/v1/tenants/${segment}`, { token: TEST_PLATFORM_TOKEN });
          expectProblem(response, 404, 'NOT_FOUND', `GET /v1/tenants/${segment}`);
        }),
      );
    });

    it('POST /v1/tenants/{id}/credentials answers 404 NOT_FOUND for any id that is not a tenant, even with a valid body', async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(fc.oneof(anyPathId.map(encodeURIComponent), percentEncodedBytes), async (segment) => {
          const response = await post(admin.url, `/v1/tenants/${segment}/credentials`, TEST_PLATFORM_TOKEN, { name: 'ok', role: 'admin' });
          expectProblem(response, 404, 'NOT_FOUND', `POST /v1/tenants/${segment}/credentials`);
        }),
      );
    });

    it("DELETE /v1/credentials/{id} answers 404 NOT_FOUND for any id that is not one of the caller's credentials, and revokes nothing", async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(
          fc.oneof(
            anyPathId.map(encodeURIComponent),
            percentEncodedBytes,
            fc.constant(foreignCredentialId),
            fc.constant(foreignCredentialId.toUpperCase()),
          ),
          async (segment) => {
            const response = await request(admin.url, 'DELETE', `/v1/credentials/${segment}`, { token: tenant.admin });
            expectProblem(response, 404, 'NOT_FOUND', `DELETE /v1/credentials/${segment}`);
          },
        ),
      );
      const [foreign] = await sql('owner', 'SELECT revoked_at FROM credentials WHERE id = $1', [foreignCredentialId]);
      expect(foreign.revoked_at).toBeNull();
    });
  });

  describe('bearer tokens', () => {
    it('an arbitrary bearer token is 401 with WWW-Authenticate: Bearer on the admin API and the verify service', async () => {
      const authorization = fc.oneof(
        fc.string({ maxLength: 80 }).map((token) => `Bearer ${token}`),
        fc.string({ maxLength: 80 }),
        fc.stringMatching(/^[0-9A-Za-z]{38}$/).map((body) => `Bearer kwc_${body}`),
        fc.constantFrom(
          'Bearer',
          'Bearer ',
          'Basic dXNlcjpwYXNz',
          `bearer ${TEST_PLATFORM_TOKEN}x`,
          `Bearer ${TEST_PLATFORM_TOKEN.slice(0, -1)}`,
        ),
      );
      const targets = fc.constantFrom(
        { base: 'admin', method: 'GET', path: '/v1/tenants', body: undefined },
        { base: 'admin', method: 'POST', path: '/v1/tenants', body: { name: 'never' } },
        { base: 'admin', method: 'GET', path: '/v1/credentials', body: undefined },
        { base: 'verify', method: 'POST', path: '/v1/verify', body: { key: 'kw_live_x' } },
      );
      await assertRefusedWithoutWrites(
        fc.asyncProperty(authorization, targets, async (header, target) => {
          const base = target.base === 'admin' ? admin.url : verify.url;
          const response = await request(base, target.method, target.path, {
            rawBody: target.body === undefined ? undefined : JSON.stringify(target.body),
            headers: { authorization: header, ...(target.body === undefined ? {} : { 'content-type': 'application/json' }) },
          });
          expectProblem(response, 401, 'UNAUTHENTICATED', `${target.method} ${target.path} with ${JSON.stringify(header)}`);
          expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
        }),
      );
    });
  });

  describe('POST /v1/verify', () => {
    const verifyPost = (body: unknown) => post(verify.url, '/v1/verify', tenant.verifier, body);

    function expectVerdict(response: TestResponse, context: string): void {
      expectWellFormedAnswer(response, context);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ valid: false, code: expect.stringMatching(/^(MALFORMED|NOT_FOUND)$/) });
    }

    it('answers an arbitrary JSON value with 400, or with a 200 verdict only when it is a body with a key string', async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(anyJsonBody, async (body) => {
          const response = await verifyPost(body);
          const context = `verify ${wire(body)}`;
          if (verifyBodyMightBeValid(received(body)) && response.status === 200) {
            expectVerdict(response, context);
          } else {
            const codes = hasPoisoningKey(wire(body)) ? ['VALIDATION_FAILED', 'MALFORMED_JSON'] : ['VALIDATION_FAILED'];
            expectProblem(response, 400, codes, context);
          }
        }),
      );
    });

    it('answers an arbitrary raw application/json body that is not a body with a key string with 400', async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(anyRawBody, async (text) => {
          const parsed = serverParse(text);
          const response = await postRaw(verify.url, '/v1/verify', tenant.verifier, text);
          const context = `verify raw ${JSON.stringify(text)}`;
          if (!parsed.ok) expectProblem(response, 400, 'MALFORMED_JSON', context);
          else if (verifyBodyMightBeValid(parsed.value) && response.status === 200) expectVerdict(response, context);
          else expectProblem(response, 400, ['VALIDATION_FAILED', 'MALFORMED_JSON'], context);
        }),
      );
    });

    it('answers any key string, of any length or alphabet, with 200 MALFORMED', async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 100 }),
            fc.string({ maxLength: 2000 }),
            fc.integer({ min: 100, max: 20_000 }).map((length) => 'k'.repeat(length)),
            fc.stringMatching(/^[0-9A-Za-z]{38}$/).map((body) => `kw_live_${body}`),
            fc.stringMatching(/^[0-9A-Za-z]{38}$/).map((body) => `kwc_${body}`),
            fc.constantFrom('', ' ', 'kw_live_', 'kw_test_', 'kw_prod_00000000000000000000000000000000000000'),
          ),
          async (key) => {
            const response = await verifyPost({ key });
            expectWellFormedAnswer(response, `verify key ${JSON.stringify(key).slice(0, 80)}`);
            expect(response.status).toBe(200);
            expect(response.body).toEqual({ valid: false, code: 'MALFORMED' });
          },
        ),
      );
    });

    it('names the offending field of a body with a key of the wrong type, bad options or an unknown field', async () => {
      const cases = fc.oneof(
        notAString.map((key) => ({ body: { key }, field: 'key' })),
        fc.constant({ body: {}, field: 'key' }),
        fc.constant({ body: { scopes: ['a'] }, field: 'key' }),
        fc
          .oneof(
            fc.integer({ max: 0 }),
            fc.double({ noNaN: true, noInteger: true, noDefaultInfinity: true }),
            fc.string(),
            fc.boolean(),
            fc.constant(null),
          )
          .map((cost) => ({ body: { key: 'x', cost }, field: 'cost' })),
        fc
          .oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(notAString, { minLength: 1, maxLength: 3 }), fc.constant(['']))
          .map((scopes) => ({ body: { key: 'x', scopes }, field: 'scopes' })),
        notAString.map((ip) => ({ body: { key: 'x', ip }, field: 'ip' })),
        fc
          .tuple(unknownFieldName(['key', 'scopes', 'ip', 'cost']), fc.jsonValue({ maxDepth: 2 }))
          .map(([field, value]) => ({ body: { key: 'x', [field]: value }, field })),
      );
      await assertRefusedWithoutWrites(
        fc.asyncProperty(cases, async ({ body, field }) => {
          const response = await verifyPost(body);
          expectFieldRefused(response, wire(body), field, `verify ${wire(body)}`);
        }),
      );
    });

    it('is 413 past the body limit and 415 for a body that is not application/json', async () => {
      const tooLarge = await postRaw(verify.url, '/v1/verify', tenant.verifier, JSON.stringify({ key: 'x'.repeat(BODY_LIMIT_BYTES) }));
      expectProblem(tooLarge, 413, 'PAYLOAD_TOO_LARGE', 'oversized verify body');
      const wrongType = await postRaw(verify.url, '/v1/verify', tenant.verifier, JSON.stringify({ key: 'x' }), 'text/plain');
      expectProblem(wrongType, 415, 'UNSUPPORTED_MEDIA_TYPE', 'verify as text/plain');
    });

    it('answers a credential of another role with 403 and a missing one with 401', async () => {
      const asAdmin = await post(verify.url, '/v1/verify', tenant.admin, { key: 'x' });
      expectProblem(asAdmin, 403, 'FORBIDDEN', 'verify as tenant admin');
      const anonymous = await post(verify.url, '/v1/verify', undefined, { key: 'x' });
      expectProblem(anonymous, 401, 'UNAUTHENTICATED', 'verify without a credential');
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('checks the caller before the body, whether its credential is cached or still being looked up', async () => {
      const badBodies = ['{"key":', '{"key":7}', '{"key":"x","extra":1}'];
      for (const rawBody of badBodies) {
        // A well-formed token nobody issued, new each time: it is looked up, not found in the cache.
        const unknown = generateCredentialToken('kw');
        expectProblem(await postRaw(verify.url, '/v1/verify', unknown, rawBody), 401, 'UNAUTHENTICATED', `unknown token, body ${rawBody}`);
        expectProblem(await postRaw(verify.url, '/v1/verify', tenant.admin, rawBody), 403, 'FORBIDDEN', `admin token, body ${rawBody}`);
        const refused = await postRaw(verify.url, '/v1/verify', tenant.verifier, rawBody);
        expect(refused.status).toBe(400);
      }
    });
  });

  describe('depth, NUL and bytes that are not UTF-8, on every endpoint of both ports', () => {
    let keyId: string;
    let webhookId: string;
    let otherTenantId: string;

    beforeAll(async () => {
      keyId = (await client(admin.url, tenant.admin).post('/v1/keys', { name: 'hostile-target' })).body.id;
      webhookId = (
        await client(admin.url, tenant.admin).post('/v1/webhooks', { url: 'https://hooks.example.test/in', events: ['key.revoked'] })
      ).body.id;
      otherTenantId = (await client(admin.url, TEST_PLATFORM_TOKEN).get('/v1/tenants?limit=100')).body.data.find(
        (found: { id: string }) => found.id !== tenant.id,
      ).id;
    });

    interface BodyEndpoint {
      name: string;
      base: () => string;
      method: string;
      path: () => string;
      token: () => string;
      /** A body the endpoint would accept: every generator spoils it in one place. */
      valid: () => Record<string, unknown>;
      /** Top-level string fields of `valid` that must not hold NUL. */
      strings: string[];
    }

    const bodyEndpoints: BodyEndpoint[] = [
      {
        name: 'POST /v1/tenants',
        base: () => admin.url,
        method: 'POST',
        path: () => '/v1/tenants',
        token: () => TEST_PLATFORM_TOKEN,
        valid: () => ({ name: 'ok' }),
        strings: ['name'],
      },
      {
        name: 'POST /v1/tenants/{id}/credentials',
        base: () => admin.url,
        method: 'POST',
        path: () => `/v1/tenants/${tenant.id}/credentials`,
        token: () => TEST_PLATFORM_TOKEN,
        valid: () => ({ name: 'ok', role: 'auditor', expiresAt: '2999-01-01T00:00:00Z' }),
        strings: ['name', 'role', 'expiresAt'],
      },
      {
        name: 'POST /v1/tenants/{id}/suspend',
        base: () => admin.url,
        method: 'POST',
        path: () => `/v1/tenants/${otherTenantId}/suspend`,
        token: () => TEST_PLATFORM_TOKEN,
        valid: () => ({}),
        strings: [],
      },
      {
        name: 'POST /v1/tenants/{id}/resume',
        base: () => admin.url,
        method: 'POST',
        path: () => `/v1/tenants/${otherTenantId}/resume`,
        token: () => TEST_PLATFORM_TOKEN,
        valid: () => ({}),
        strings: [],
      },
      {
        name: 'POST /v1/credentials',
        base: () => admin.url,
        method: 'POST',
        path: () => '/v1/credentials',
        token: () => tenant.admin,
        valid: () => ({ name: 'ok', role: 'verifier' }),
        strings: ['name', 'role'],
      },
      {
        name: 'POST /v1/keys',
        base: () => admin.url,
        method: 'POST',
        path: () => '/v1/keys',
        token: () => tenant.admin,
        valid: () => ({
          name: 'ok',
          ownerId: 'cust-1',
          environment: 'test',
          scopes: ['a:read'],
          meta: { plan: 'pro' },
          ipAllowlist: ['10.0.0.0/8'],
          rateLimit: { limit: 5, windowSeconds: 60 },
        }),
        strings: ['name', 'ownerId', 'environment'],
      },
      {
        name: 'PATCH /v1/keys/{id}',
        base: () => admin.url,
        method: 'PATCH',
        path: () => `/v1/keys/${keyId}`,
        token: () => tenant.admin,
        valid: () => ({ name: 'renamed', meta: { a: 'b' }, scopes: ['x'] }),
        strings: ['name'],
      },
      {
        name: 'POST /v1/keys/{id}/rotate',
        base: () => admin.url,
        method: 'POST',
        path: () => `/v1/keys/${keyId}/rotate`,
        token: () => tenant.admin,
        valid: () => ({ gracePeriodSeconds: 60 }),
        strings: [],
      },
      {
        name: 'POST /v1/keys/{id}/revoke',
        base: () => admin.url,
        method: 'POST',
        path: () => `/v1/keys/${keyId}/revoke`,
        token: () => tenant.admin,
        valid: () => ({ reason: 'leaked' }),
        strings: ['reason'],
      },
      {
        name: 'POST /v1/keys/{id}/reveal',
        base: () => admin.url,
        method: 'POST',
        path: () => `/v1/keys/${keyId}/reveal`,
        token: () => tenant.admin,
        valid: () => ({}),
        strings: [],
      },
      {
        name: 'PUT /v1/policy',
        base: () => admin.url,
        method: 'PUT',
        path: () => '/v1/policy',
        token: () => tenant.admin,
        valid: () => ({ unusedKeyDays: 30, unusedKeyAction: 'report', maxKeyLifetimeDays: null, expiryWarningDays: [7, 1] }),
        strings: ['unusedKeyAction'],
      },
      {
        name: 'POST /v1/webhooks',
        base: () => admin.url,
        method: 'POST',
        path: () => '/v1/webhooks',
        token: () => tenant.admin,
        valid: () => ({ url: 'https://hooks.example.test/in', events: ['key.revoked'] }),
        strings: ['url'],
      },
      {
        name: 'PUT /v1/roles/{name}',
        base: () => admin.url,
        method: 'PUT',
        path: () => '/v1/roles/hostile-role',
        token: () => tenant.admin,
        valid: () => ({ scopes: ['a'], description: 'd' }),
        strings: ['description'],
      },
      {
        name: 'POST /v1/jobs/{name}/run',
        base: () => admin.url,
        method: 'POST',
        path: () => '/v1/jobs/expiry/run',
        token: () => TEST_PLATFORM_TOKEN,
        valid: () => ({}),
        strings: [],
      },
      // `key` may be any string (any other shape is 200 MALFORMED): NUL goes in the other fields.
      {
        name: 'POST /v1/verify',
        base: () => verify.url,
        method: 'POST',
        path: () => '/v1/verify',
        token: () => tenant.verifier,
        valid: () => ({ key: 'kw_live_x', scopes: ['a'], scopeQuery: 'a OR b', ip: '10.0.0.1', cost: 1 }),
        strings: ['ip', 'scopeQuery'],
      },
    ];

    const sendRaw = (endpoint: BodyEndpoint, body: string | Buffer) =>
      fetch(`${endpoint.base()}${endpoint.path()}`, {
        method: endpoint.method,
        headers: { authorization: `Bearer ${endpoint.token()}`, 'content-type': 'application/json' },
        body,
      }).then(async (response): Promise<TestResponse> => {
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        return { status: response.status, headers: response.headers, body: parsed };
      });

    /** The valid body as JSON text, with `field`'s value (new or replaced) given as raw JSON text. */
    function withRawField(valid: Record<string, unknown>, field: string, rawValue: string): string {
      const { [field]: _replaced, ...rest } = valid;
      const restText = JSON.stringify(rest);
      const member = `${JSON.stringify(field)}:${rawValue}`;
      return restText === '{}' ? `{${member}}` : `{${member},${restText.slice(1)}`;
    }

    it.each(bodyEndpoints.map((endpoint) => endpoint.name))(
      '%s refuses a field nested past 32 levels with 400 naming it, and writes nothing',
      async (name) => {
        const endpoint = bodyEndpoints.find((candidate) => candidate.name === name)!;
        const fields = [...Object.keys(endpoint.valid()), 'extra'];
        await assertRefusedWithoutWrites(
          fc.asyncProperty(fc.constantFrom(...fields), tooDeep, async (field, { depth, pattern, inner }) => {
            const text = withRawField(endpoint.valid(), field, nestedText(depth, pattern, inner));
            const response = await sendRaw(endpoint, text);
            expectFieldRefused(response, text, field, `${name} ${field} nested ${depth} deep`);
          }),
          15,
        );
      },
    );

    it('refuses a body that is itself nested past 32 levels, on both ports', async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(fc.constantFrom(...bodyEndpoints), tooDeep, async (endpoint, { depth, pattern, inner }) => {
          const text = nestedText(depth + 1, pattern | 1, inner);
          const response = await sendRaw(endpoint, text);
          // The body is an array (its outermost level): the depth is the body's.
          expectFieldRefused(response, text, 'body', `${endpoint.name} a body nested ${depth + 1} deep`);
        }),
        30,
      );
    });

    it.each(bodyEndpoints.map((endpoint) => endpoint.name))(
      '%s refuses NUL in a string, a nested string or a field name with 400 naming it, and writes nothing',
      async (name) => {
        const endpoint = bodyEndpoints.find((candidate) => candidate.name === name)!;
        const cases = fc.oneof(
          ...(endpoint.strings.length > 0
            ? [
                fc
                  .tuple(fc.constantFrom(...endpoint.strings), withNul)
                  .map(([field, value]) => ({ body: { ...endpoint.valid(), [field]: value }, field })),
              ]
            : []),
          fc
            .tuple(withNul, fc.jsonValue({ maxDepth: 1 }))
            .map(([field, value]) => ({ body: { ...endpoint.valid(), [field]: value }, field })),
          fc
            .tuple(fc.constantFrom('extra', 'meta', 'scopes'), withNul)
            .map(([field, value]) => ({ body: { ...endpoint.valid(), [field]: { list: ['ok', value] } }, field: `${field}.list.1` })),
        );
        await assertRefusedWithoutWrites(
          fc.asyncProperty(cases, async ({ body, field }) => {
            const text = JSON.stringify(body);
            const response = await sendRaw(endpoint, text);
            expectFieldRefused(response, text, field, `${name} ${text}`);
            expect(response.body.errors.find((error: { field: string }) => error.field === field).message).toMatch(/NUL/);
          }),
          15,
        );
      },
    );

    it.each(bodyEndpoints.map((endpoint) => endpoint.name))(
      '%s refuses a body with bytes that are not UTF-8 with 400 MALFORMED_JSON, and writes nothing',
      async (name) => {
        const endpoint = bodyEndpoints.find((candidate) => candidate.name === name)!;
        await assertRefusedWithoutWrites(
          fc.asyncProperty(
            notUtf8,
            fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
            fc.boolean(),
            async (bytes, where, inString) => {
              const body = spliceBytes(JSON.stringify(endpoint.valid()), bytes, where, inString);
              const response = await sendRaw(endpoint, body);
              expectProblem(response, 400, 'MALFORMED_JSON', `${name} ${body.toString('hex')}`);
            },
          ),
          15,
        );
      },
    );

    /** Every GET route of both ports, with the query parameters it reads. */
    const getEndpoints = () => [
      { base: admin.url, path: '/v1/tenants', token: TEST_PLATFORM_TOKEN, params: ['limit', 'cursor'] },
      { base: admin.url, path: `/v1/tenants/${tenant.id}`, token: TEST_PLATFORM_TOKEN, params: [] },
      { base: admin.url, path: `/v1/tenants/${tenant.id}/credentials`, token: TEST_PLATFORM_TOKEN, params: ['limit', 'cursor'] },
      { base: admin.url, path: '/v1/credentials', token: tenant.admin, params: ['limit', 'cursor'] },
      { base: admin.url, path: '/v1/keys', token: tenant.admin, params: ['limit', 'cursor', 'ownerId', 'status'] },
      { base: admin.url, path: `/v1/keys/${keyId}`, token: tenant.admin, params: [] },
      { base: admin.url, path: `/v1/keys/${keyId}/usage`, token: tenant.admin, params: ['from', 'to', 'granularity'] },
      { base: admin.url, path: '/v1/policy', token: tenant.admin, params: [] },
      {
        base: admin.url,
        path: '/v1/audit-events',
        token: tenant.admin,
        params: ['from', 'to', 'action', 'keyId', 'actorId', 'limit', 'cursor'],
      },
      { base: admin.url, path: '/v1/audit-events/export', token: tenant.admin, params: ['format', 'from', 'to'] },
      { base: admin.url, path: '/v1/audit-events/verify', token: tenant.admin, params: ['checkpointSeq', 'checkpointHash'] },
      { base: admin.url, path: '/v1/audit-events/checkpoint', token: tenant.admin, params: [] },
      { base: admin.url, path: '/v1/audit-events/checkpoints', token: tenant.admin, params: ['limit', 'cursor'] },
      { base: admin.url, path: '/v1/audit-events/keys', token: tenant.admin, params: [] },
      { base: admin.url, path: '/v1/reports/unused-keys', token: tenant.admin, params: [] },
      { base: admin.url, path: '/v1/webhooks', token: tenant.admin, params: ['limit', 'cursor'] },
      { base: admin.url, path: '/v1/roles', token: tenant.admin, params: ['limit', 'cursor'] },
      { base: admin.url, path: `/v1/webhooks/${webhookId}/deliveries`, token: tenant.admin, params: ['limit', 'cursor'] },
      { base: admin.url, path: '/v1/jobs', token: TEST_PLATFORM_TOKEN, params: [] },
      { base: admin.url, path: '/healthz', token: '', params: [] },
      { base: admin.url, path: '/readyz', token: '', params: [] },
      { base: admin.url, path: '/metrics', token: '', params: [] },
      { base: admin.url, path: '/openapi.json', token: '', params: [] },
      { base: verify.url, path: '/healthz', token: '', params: [] },
      { base: verify.url, path: '/readyz', token: '', params: [] },
      { base: verify.url, path: '/metrics', token: '', params: [] },
      { base: verify.url, path: '/openapi.json', token: '', params: [] },
    ];

    /** A value each parameter would accept. */
    const VALID_PARAM: Record<string, string> = {
      limit: '5',
      cursor: '',
      ownerId: 'cust-1',
      status: 'active',
      from: '2020-01-01T00:00:00Z',
      to: '2030-01-01T00:00:00Z',
      granularity: 'day',
      action: 'key.created',
      keyId: '00000000-0000-4000-8000-000000000000',
      actorId: 'platform',
      format: 'csv',
      checkpointSeq: '1',
      checkpointHash: '0'.repeat(64),
    };

    it('every GET route of both ports refuses NUL in a query name or value with 400 naming the parameter', async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(fc.constantFrom(...getEndpoints()), fc.nat(), withNul, fc.boolean(), async (endpoint, pick, nulText, inName) => {
          const names = [...endpoint.params, 'extra'];
          const name = inName ? nulText : names[pick % names.length];
          const query = `${encodeURIComponent(name)}=${encodeURIComponent(inName ? '1' : nulText)}`;
          const response = await request(endpoint.base, 'GET', `${endpoint.path}?${query}`, { token: endpoint.token || undefined });
          expectFieldRefused(response, undefined, name, `GET ${endpoint.path}?${query}`);
        }),
        60,
      );
    });

    it('every GET route of both ports refuses a repeated query parameter with 400 naming it', async () => {
      await assertRefusedWithoutWrites(
        fc.asyncProperty(fc.constantFrom(...getEndpoints()), fc.nat(), fc.integer({ min: 2, max: 4 }), async (endpoint, pick, times) => {
          const names = [...endpoint.params, 'extra'];
          const name = names[pick % names.length];
          const value = VALID_PARAM[name] ?? 'x';
          const query = Array.from({ length: times }, () => `${name}=${encodeURIComponent(value)}`).join('&');
          const response = await request(endpoint.base, 'GET', `${endpoint.path}?${query}`, { token: endpoint.token || undefined });
          expectFieldRefused(response, undefined, name, `GET ${endpoint.path}?${query}`);
          expect(response.body.errors.find((error: { field: string }) => error.field === name).message).toBe('must be given once');
        }),
        40,
      );
    });
  });

  it('leaves every id it was given intact: the credentials made for the tests are still usable', async () => {
    const list = await client(admin.url, tenant.admin).get('/v1/credentials');
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(3);
    for (const credential of list.body.data) {
      expect(credential.id).toMatch(UUID);
      expect(credential.revokedAt).toBeNull();
    }
  });
});
