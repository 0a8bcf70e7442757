// The OpenAPI documents (docs/api.md says the same in words): the files under docs/openapi/ are what
// the services serve, they are valid OpenAPI 3, complete enough to generate clients from, and every
// example in them holds against its schema and is accepted by the running services.
import { parseApiKey, VERIFY_CODES } from '@keyward/keys';
import { PROBLEM_STATUS, type ProblemCode } from '@keyward/platform';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { VERIFY_REQUEST_SCHEMA } from '../apps/verify/src/verify.schema';
import { createKey } from './support/key-builders';
import { createTenant } from './support/builders';
import { useOwnDatabase } from './support/database';
import { request } from './support/http-client';
import { OPENAPI_FILES, openApiFileText, servedOpenApiDocument, type OpenApiService } from './support/openapi-documents';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN, TEST_WEBHOOK_HOST } from './support/test-config';

type Json = any;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const SERVICES = Object.keys(OPENAPI_FILES) as OpenApiService[];
/** Operations without a bearer token, whose requests are signed (docs/secret-scanning.md). */
const SIGNED_OPERATIONS = ['POST /v1/secret-scanning/github'];
/** Operations open to anyone: the public keys of signed principals (docs/gateways.md, Signed principals). */
const PUBLIC_OPERATIONS = ['GET /.well-known/jwks.json'];

function operations(document: Json): Array<{ name: string; path: string; method: string; operation: Json }> {
  return Object.entries<Json>(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      name: `${method.toUpperCase()} ${path}`,
      path,
      method,
      operation: item[method],
    })),
  );
}

/** A response or header as written, or the component its `$ref` names. */
function resolved(document: Json, value: Json): Json {
  if (!value?.$ref) return value;
  const [, section, name] = /^#\/components\/(\w+)\/(.+)$/.exec(value.$ref) ?? [];
  return document.components[section][name];
}

/** Every response of the document, with where it is (components.responses once, not per use). */
function responses(document: Json): Array<{ where: string; status: string; response: Json }> {
  const inline = operations(document).flatMap(({ name, operation }) =>
    Object.entries<Json>(operation.responses)
      .filter(([, response]) => !response.$ref)
      .map(([status, response]) => ({ where: `${name} ${status}`, status, response })),
  );
  const shared = operations(document).flatMap(({ operation }) =>
    Object.entries<Json>(operation.responses)
      .filter(([, response]) => response.$ref)
      .map(([status, response]) => ({ where: response.$ref, status, response: resolved(document, response) })),
  );
  return [...inline, ...new Map(shared.map((entry) => [`${entry.where} ${entry.status}`, entry])).values()];
}

/**
 * An OpenAPI 3.0 schema as JSON Schema for Ajv: `nullable: true` becomes "or null" and `example` is
 * left out (it is checked on its own), through every keyword that holds schemas; component
 * references point at the components registered as the schema `openapi`.
 */
function toJsonSchema(schema: Json): Json {
  if (typeof schema !== 'object' || schema === null) return schema;
  const { nullable, example: _example, ...rest } = schema;
  const converted: Json = {};
  for (const [keyword, value] of Object.entries<Json>(rest)) {
    if (keyword === '$ref') converted.$ref = String(value).replace('#/components/schemas/', 'openapi#/definitions/');
    else if (keyword === 'properties')
      converted.properties = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, toJsonSchema(s)]));
    else if (['items', 'additionalProperties', 'not'].includes(keyword)) converted[keyword] = toJsonSchema(value);
    else if (['allOf', 'anyOf', 'oneOf'].includes(keyword)) converted[keyword] = value.map(toJsonSchema);
    else converted[keyword] = value;
  }
  return nullable === true ? { anyOf: [converted, { type: 'null' }] } : converted;
}

/** Every example of the document and the schema it must hold against: media types, schemas, parameters, headers. */
function examples(document: Json): Array<{ where: string; schema: Json; value: Json }> {
  const found: Array<{ where: string; schema: Json; value: Json }> = [];
  const walkSchema = (schema: Json, where: string): void => {
    if (typeof schema !== 'object' || schema === null || schema.$ref) return;
    if (schema.example !== undefined) found.push({ where, schema, value: schema.example });
    for (const [name, property] of Object.entries<Json>(schema.properties ?? {})) walkSchema(property, `${where}.${name}`);
    for (const keyword of ['items', 'additionalProperties', 'not']) walkSchema(schema[keyword], `${where}/${keyword}`);
    for (const keyword of ['allOf', 'anyOf', 'oneOf'])
      (schema[keyword] ?? []).forEach((s: Json, i: number) => walkSchema(s, `${where}/${keyword}/${i}`));
  };
  const walkMedia = (content: Json, where: string): void => {
    for (const [mediaType, media] of Object.entries<Json>(content ?? {})) {
      walkSchema(media.schema, `${where} ${mediaType} schema`);
      if (media.example !== undefined) found.push({ where: `${where} ${mediaType}`, schema: media.schema, value: media.example });
      for (const [name, example] of Object.entries<Json>(media.examples ?? {})) {
        found.push({ where: `${where} ${mediaType} example ${name}`, schema: media.schema, value: example.value });
      }
    }
  };
  const walkHeader = (header: Json, where: string): void => {
    walkSchema(header.schema, `${where} schema`);
    if (header.example !== undefined) found.push({ where, schema: header.schema, value: header.example });
  };
  for (const [name, schema] of Object.entries<Json>(document.components.schemas ?? {})) walkSchema(schema, `#/components/schemas/${name}`);
  for (const [name, header] of Object.entries<Json>(document.components.headers ?? {})) walkHeader(header, `#/components/headers/${name}`);
  for (const { name, operation } of operations(document)) {
    for (const parameter of operation.parameters ?? []) {
      walkSchema(parameter.schema, `${name} parameter ${parameter.name}`);
      if (parameter.example !== undefined)
        found.push({ where: `${name} parameter ${parameter.name}`, schema: parameter.schema, value: parameter.example });
    }
    walkMedia(operation.requestBody?.content, `${name} request`);
  }
  for (const { where, response } of responses(document)) {
    walkMedia(response.content, where);
    for (const [name, header] of Object.entries<Json>(response.headers ?? {}))
      if (!header.$ref) walkHeader(header, `${where} header ${name}`);
  }
  return found;
}

/** Every `expiresAt` in a value, however deep. */
function expiryDates(value: Json): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries<Json>(value).flatMap(([key, inner]) =>
    key === 'expiresAt' && typeof inner === 'string' ? [inner] : expiryDates(inner),
  );
}

/** Runs @seriousme/openapi-schema-validator's CLI (an ES module: jest's CommonJS runtime cannot load it) on `document`. */
function validateOpenApi(document: Json): { valid: boolean; errors?: unknown } {
  const packageDir = dirname(require.resolve('@seriousme/openapi-schema-validator/package.json'));
  const bin = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).bin['validate-api'];
  const dir = mkdtempSync(join(tmpdir(), 'keyward-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const run = spawnSync(process.execPath, [join(packageDir, bin), file], { encoding: 'utf8' });
    if (!run.stdout) throw new Error(`the validator did not answer: ${run.stderr}`);
    return JSON.parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The codes of a problem response's examples. */
function problemCodes(document: Json, response: Json): string[] {
  const examples = resolved(document, response)?.content?.['application/problem+json']?.examples ?? {};
  return Object.values<Json>(examples).map((example) => example.value.code);
}

// The apps live until the end of the file: apps in one process share passport's global strategy
// registry, so closing one early would break the others' authentication.
describe('OpenAPI documents', () => {
  let dropOwnDatabase: () => Promise<void>;
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  const documents = {} as Record<OpenApiService, Json>;

  beforeAll(async () => {
    // The example requests below change things: in a database of this suite's own.
    dropOwnDatabase = await useOwnDatabase();
    // The webhook example's URL resolves to this machine, as the test hosts do.
    admin = await startAdminApi({ env: { KEYWARD_WEBHOOK_HOSTS: `${TEST_WEBHOOK_HOST}=127.0.0.1,hooks.example.com=127.0.0.1` } });
    verify = await startVerify();
    // The synchronous checks below hold the event loop for seconds (on a loaded machine, for longer
    // than node's default 5 s keep-alive), after which the first request could go out on a pooled
    // connection the server's overdue timer is about to close (ECONNRESET): keep idle connections longer.
    for (const app of [admin, verify]) app.app.getHttpServer().keepAliveTimeout = 60_000;
    documents['admin-api'] = await servedOpenApiDocument(admin.url);
    documents.verify = await servedOpenApiDocument(verify.url);
  });
  afterAll(async () => {
    await verify?.close();
    await admin?.close();
    await dropOwnDatabase?.();
  });

  describe.each(SERVICES)('%s', (service) => {
    it(`is committed as ${OPENAPI_FILES[service]}, exactly as the service serves it`, () => {
      const served = openApiFileText(documents[service]);
      let committed = '';
      try {
        committed = readFileSync(resolve(OPENAPI_FILES[service]), 'utf8');
      } catch {
        // missing: reported below
      }
      if (committed !== served) {
        const line = served.split('\n').findIndex((text, index) => text !== committed.split('\n')[index]) + 1;
        throw new Error(
          `${OPENAPI_FILES[service]} is not the document the code serves (first difference at line ${line}). ` +
            'Run `npm run openapi` and commit the files it writes.',
        );
      }
    });

    it('is a valid OpenAPI 3 document', () => {
      expect(documents[service].openapi).toMatch(/^3\.0\.\d+$/);
      expect(validateOpenApi(documents[service])).toEqual({ valid: true });
    });

    it('gives every operation a unique camelCase operationId, a summary, a description and a declared tag', () => {
      const document = documents[service];
      const declaredTags = document.tags.map((tag: Json) => tag.name);
      const ids = operations(document).map(({ operation }) => operation.operationId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const { name, operation } of operations(document)) {
        expect({ name, operationId: operation.operationId }).toEqual({ name, operationId: expect.stringMatching(/^[a-z][a-zA-Z0-9]+$/) });
        expect({ name, summary: operation.summary?.length > 0, description: operation.description?.length > 0 }).toEqual({
          name,
          summary: true,
          description: true,
        });
        expect({ name, tags: operation.tags }).toEqual({ name, tags: [expect.any(String)] });
        expect(declaredTags).toContain(operation.tags[0]);
      }
      for (const tag of document.tags) expect(tag.description).toEqual(expect.any(String));
    });

    it('describes the real bearer tokens, and which of them each operation takes', () => {
      const document = documents[service];
      const schemes = document.components.securitySchemes;
      for (const [name, scheme] of Object.entries<Json>(schemes)) {
        // A gateway's credential on /v1/forward-auth comes in a header of its own (docs/gateways.md).
        if (name === 'gatewayVerifier') {
          expect({ service, scheme }).toEqual({
            service: 'verify',
            scheme: { type: 'apiKey', in: 'header', name: 'Keyward-Verifier', description: expect.any(String) },
          });
          continue;
        }
        expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer', description: expect.any(String) });
        expect(scheme.bearerFormat).not.toMatch(/jwt/i);
      }
      expect(schemes.tenantCredential.bearerFormat).toMatch(/^kwc_/);
      if (service === 'admin-api') expect(schemes.platformOperator.bearerFormat).toMatch(/^kwp_/);
      else expect(schemes.platformOperator).toBeUndefined();
      for (const { name, operation } of operations(document)) {
        // GitHub's reports carry no bearer token: each is signed instead (docs/secret-scanning.md).
        if (SIGNED_OPERATIONS.includes(name)) {
          expect(operation.security).toEqual([]);
          expect(
            operation.parameters.filter((parameter: Json) => parameter.in === 'header').map((parameter: Json) => parameter.name),
          ).toEqual(['Github-Public-Key-Signature', 'Github-Public-Key-Identifier']);
          expect(operation.description).toMatch(/Callers: .+\.$/);
          continue;
        }
        if (PUBLIC_OPERATIONS.includes(name)) {
          expect({ name, security: operation.security }).toEqual({ name, security: [] });
          expect(operation.description).toMatch(/Callers: anyone, .+\.$/);
          continue;
        }
        expect({ name, secured: operation.security?.length > 0 }).toEqual({ name, secured: true });
        for (const requirement of operation.security) for (const scheme of Object.keys(requirement)) expect(schemes[scheme]).toBeDefined();
        expect(operation.description).toMatch(/Callers: .+\.$/);
      }
    });

    it('describes every response, with X-Request-Id', () => {
      for (const { where, response } of responses(documents[service])) {
        expect({ where, description: response.description?.length > 0 }).toEqual({ where, description: true });
        expect({ where, header: response.headers?.['X-Request-Id'] }).toEqual({
          where,
          header: { $ref: '#/components/headers/X-Request-Id' },
        });
      }
    });

    it('shows every error status with an example problem of each code it stands for, of that status', () => {
      for (const { where, status, response } of responses(documents[service])) {
        if (Number(status) < 400) continue;
        const media = response.content?.['application/problem+json'];
        expect({ where, schema: media?.schema }).toEqual({ where, schema: { $ref: '#/components/schemas/Problem' } });
        const examples = Object.entries<Json>(media.examples ?? {});
        expect({ where, examples: examples.length > 0 }).toEqual({ where, examples: true });
        for (const [name, example] of examples) {
          const code = example.value.code as ProblemCode;
          expect({ where, name, code, status: example.value.status, statusOfCode: PROBLEM_STATUS[code] }).toEqual({
            where,
            name,
            code: name,
            status: Number(status),
            statusOfCode: Number(status),
          });
        }
        const codes = examples.map(([name]) => name);
        if (codes.includes('UNAUTHENTICATED')) expect(response.headers['WWW-Authenticate']).toBeDefined();
        if (codes.includes('RATE_LIMITED') || codes.includes('SERVICE_UNAVAILABLE')) expect(response.headers['Retry-After']).toBeDefined();
      }
    });

    it('holds every example against its schema', () => {
      const document = documents[service];
      const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
      addFormats(ajv);
      const definitions = Object.fromEntries(Object.entries<Json>(document.components.schemas).map(([name, s]) => [name, toJsonSchema(s)]));
      ajv.addSchema({ $id: 'openapi', definitions });
      const found = examples(document);
      expect(found.length).toBeGreaterThan(service === 'verify' ? 15 : 150);
      const failures = found.flatMap(({ where, schema, value }) => {
        const validate = ajv.compile(toJsonSchema(schema));
        return validate(value) ? [] : [`${where}: ${ajv.errorsText(validate.errors)}`];
      });
      expect(failures).toEqual([]);
    });

    it('gives every request body examples, with every expiresAt in the future', () => {
      for (const { name, operation } of operations(documents[service])) {
        if (!operation.requestBody) continue;
        const examples = Object.values<Json>(operation.requestBody.content['application/json'].examples ?? {});
        expect({ name, examples: examples.length > 0 }).toEqual({ name, examples: true });
        for (const date of examples.flatMap((example) => expiryDates(example.value))) {
          expect({ name, date, future: Date.parse(date) > Date.now() }).toEqual({ name, date, future: true });
        }
      }
    });
  });

  describe('admin API', () => {
    const operation = (path: string, method: string) => documents['admin-api'].paths[path][method];
    const codesOf = (path: string, method: string, status: number) =>
      problemCodes(documents['admin-api'], operation(path, method).responses[String(status)]);

    it.each([
      ['/v1/keys', 'post', 'createKey'],
      ['/v1/keys/{keyId}', 'get', 'getKey'],
      ['/v1/keys/{keyId}', 'patch', 'updateKey'],
      ['/v1/keys/{keyId}/rotate', 'post', 'rotateKey'],
      ['/v1/tenants', 'post', 'createTenant'],
      ['/v1/tenants/{tenantId}/credentials', 'post', 'createTenantCredential'],
      ['/v1/credentials', 'post', 'createCredential'],
      ['/v1/jobs/{name}/run', 'post', 'runJob'],
      ['/v1/owners/{ownerId}', 'put', 'putOwner'],
      ['/v1/owners/{ownerId}/credits', 'post', 'changeOwnerCredits'],
      ['/v1/keys/{keyId}/credits', 'post', 'changeKeyCredits'],
    ])('names %s %s %s', (path, method, operationId) => {
      expect(operation(path, method).operationId).toBe(operationId);
    });

    it('documents the codes of each status where they are answered', () => {
      expect(codesOf('/v1/keys', 'post', 400)).toEqual(['VALIDATION_FAILED', 'MALFORMED_JSON']);
      expect(codesOf('/v1/keys', 'post', 401)).toEqual(['UNAUTHENTICATED']);
      expect(codesOf('/v1/keys', 'post', 403)).toEqual(['FORBIDDEN', 'TENANT_SUSPENDED']);
      expect(codesOf('/v1/keys', 'post', 409)).toEqual(['IDEMPOTENCY_KEY_IN_USE']);
      expect(codesOf('/v1/keys', 'post', 413)).toEqual(['PAYLOAD_TOO_LARGE']);
      expect(codesOf('/v1/keys', 'post', 415)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
      expect(codesOf('/v1/keys', 'post', 422)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
      expect(codesOf('/v1/keys', 'post', 429)).toEqual(['RATE_LIMITED']);
      expect(codesOf('/v1/keys', 'post', 503)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(codesOf('/v1/keys/{keyId}', 'get', 404)).toEqual(['NOT_FOUND']);
      expect(codesOf('/v1/keys/{keyId}', 'patch', 409)).toEqual(['CONFLICT']);
      expect(codesOf('/v1/keys/{keyId}/rotate', 'post', 409)).toEqual(['CONFLICT', 'IDEMPOTENCY_KEY_IN_USE']);
      expect(codesOf('/v1/keys/{keyId}/reveal', 'post', 410)).toEqual(['GONE']);
      expect(codesOf('/v1/keys/{keyId}/credits', 'post', 409)).toEqual(['INSUFFICIENT_CREDITS', 'CONFLICT']);
      expect(codesOf('/v1/owners/{ownerId}/credits', 'post', 404)).toEqual(['NOT_FOUND']);
      expect(codesOf('/v1/tenants', 'get', 403)).toEqual(['FORBIDDEN']);
      expect(codesOf('/v1/jobs/{queue}/{jobId}/retry', 'post', 409)).toEqual(['CONFLICT']);
    });

    it('takes the platform token for tenants, jobs and signing keys, tenant credentials for everything else', () => {
      for (const { path, operation: op } of operations(documents['admin-api'])) {
        const expected = /^\/v1\/(tenants|jobs|signing-keys)\b/.test(path) ? 'platformOperator' : 'tenantCredential';
        const security = path === '/v1/secret-scanning/github' ? [] : [{ [expected]: [] }];
        expect({ path, security: op.security }).toEqual({ path, security });
      }
    });

    // Each example is sent as written, as the caller the operation names, for a tenant of its own.
    it('accepts every request example', async () => {
      const document = documents['admin-api'];
      const answers: Array<{ name: string; example: string; status: number; expected: string[] }> = [];
      for (const { name, path, method, operation: op } of operations(document)) {
        for (const [exampleName, example] of Object.entries<Json>(op.requestBody?.content['application/json'].examples ?? {})) {
          const tenant = await createTenant(admin.url);
          // A signed operation's example, sent unsigned, is refused (secret-scanning.e2e-spec.ts sends it signed).
          if (op.security.length === 0) {
            const unsigned = await request(admin.url, method.toUpperCase(), path, { body: example.value });
            answers.push({ name, example: exampleName, status: unsigned.status, expected: ['401'] });
            continue;
          }
          const token = op.security[0].platformOperator ? TEST_PLATFORM_TOKEN : tenant.admin;
          // With credits, so that the credits examples (increment, decrement) have some to change.
          const keyId = path.includes('{keyId}') ? (await createKey(admin.url, tenant.admin, { remaining: 1000 })).id : '';
          if (path.includes('{ownerId}'))
            await request(admin.url, 'PUT', '/v1/owners/cus_4711', { token, body: { credits: { remaining: 1000 } } });
          const url = path
            .replace('{tenantId}', tenant.id)
            .replace('{keyId}', keyId)
            .replace('{ownerId}', 'cus_4711')
            .replace('/v1/roles/{name}', '/v1/roles/support');
          const response = await request(admin.url, method.toUpperCase(), url, { token, body: example.value });
          const expected = Object.keys(op.responses).filter((status) => status.startsWith('2'));
          answers.push({ name, example: exampleName, status: response.status, expected });
        }
      }
      expect(answers.length).toBeGreaterThanOrEqual(12);
      for (const answer of answers) expect(answer).toEqual({ ...answer, status: Number(answer.expected[0]) });
    });
  });

  describe('verify service', () => {
    const verifyOperation = () => documents.verify.paths['/v1/verify'].post;
    const answerSchema = () => documents.verify.components.schemas.VerifyAnswer;

    it('documents POST /v1/verify as verifyKey, /v1/forward-auth as forwardAuth and the JWKS under the tag verify, and nothing else', () => {
      expect(Object.keys(documents.verify.paths)).toEqual(['/.well-known/jwks.json', '/v1/verify', '/v1/forward-auth']);
      expect(documents.verify.paths['/.well-known/jwks.json'].get).toMatchObject({
        operationId: 'getPrincipalSigningKeys',
        tags: ['verify'],
        security: [],
      });
      expect(verifyOperation()).toMatchObject({ operationId: 'verifyKey', tags: ['verify'], security: [{ tenantCredential: [] }] });
      expect(documents.verify.paths['/v1/forward-auth'].get).toMatchObject({
        operationId: 'forwardAuth',
        tags: ['verify'],
        security: [{ gatewayVerifier: [] }],
      });
    });

    it('documents the answers of /v1/forward-auth: the Keyward headers, and each refusal with its codes', () => {
      const operation = documents.verify.paths['/v1/forward-auth'].get;
      expect(Object.keys(operation.responses['200'].headers).sort()).toEqual(
        [
          'Keyward-Code',
          'Keyward-Key-Id',
          'Keyward-Meta',
          'Keyward-Owner-Id',
          'Keyward-Principal',
          'Keyward-Scopes',
          'RateLimit',
          'RateLimit-Policy',
          'X-Request-Id',
        ].sort(),
      );
      expect(operation.responses['200'].content).toBeUndefined();
      const codes = Object.fromEntries(
        Object.entries<Json>(operation.responses)
          .filter(([status]) => Number(status) >= 400)
          .map(([status, response]) => [status, problemCodes(documents.verify, response)]),
      );
      expect(codes).toEqual({
        400: ['VALIDATION_FAILED'],
        401: ['UNAUTHENTICATED'],
        403: ['FORBIDDEN'],
        429: ['RATE_LIMITED'],
        502: ['VERIFIER_REJECTED'],
        503: ['SERVICE_UNAVAILABLE'],
      });
      expect(operation.parameters.map((parameter: Json) => parameter.name)).toEqual(
        expect.arrayContaining(['scopes', 'scopeQuery', 'cost', 'gateway', 'X-API-Key', 'X-Real-IP', 'X-Forwarded-For']),
      );
    });

    it('takes the request the handler validates with, and every answer code with an example', () => {
      expect(verifyOperation().requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/VerifyRequest' });
      expect(documents.verify.components.schemas.VerifyRequest).toEqual(JSON.parse(JSON.stringify(VERIFY_REQUEST_SCHEMA)));
      const answer = verifyOperation().responses['200'];
      expect(answer.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/VerifyAnswer' });
      expect(answerSchema().properties.code.enum).toEqual([...VERIFY_CODES]);
      for (const code of VERIFY_CODES) expect(answerSchema().properties.code.description).toContain(code);
      const examples = answer.content['application/json'].examples;
      expect(Object.values<Json>(examples).map((example) => example.value.code)).toEqual([...VERIFY_CODES]);
      for (const example of Object.values<Json>(verifyOperation().requestBody.content['application/json'].examples)) {
        expect(parseApiKey(example.value.key, 'kw')).not.toBeNull();
      }
    });

    it('documents the RateLimit, RateLimit-Policy and Retry-After headers of an answer', () => {
      const headers = verifyOperation().responses['200'].headers;
      for (const name of ['RateLimit', 'RateLimit-Policy', 'Retry-After']) {
        expect(resolved(documents.verify, headers[name])).toMatchObject({ description: expect.any(String), schema: expect.any(Object) });
      }
      expect(documents.verify.components.headers['RateLimit-Policy'].example).toBe('"key";q=100;w=60');
      expect(documents.verify.components.headers.RateLimit.example).toMatch(/^"key";r=\d+;t=\d+$/);
    });

    it('documents its errors with their codes', () => {
      const codes = Object.fromEntries(
        Object.entries<Json>(verifyOperation().responses)
          .filter(([status]) => Number(status) >= 400)
          .map(([status, response]) => [status, problemCodes(documents.verify, response)]),
      );
      expect(codes).toEqual({
        400: ['VALIDATION_FAILED', 'MALFORMED_JSON', 'BAD_REQUEST'],
        401: ['UNAUTHENTICATED'],
        403: ['FORBIDDEN'],
        413: ['PAYLOAD_TOO_LARGE'],
        415: ['UNSUPPORTED_MEDIA_TYPE'],
        422: ['IDEMPOTENCY_KEY_REUSED'],
        503: ['SERVICE_UNAVAILABLE'],
      });
    });

    it('accepts every request example', async () => {
      const tenant = await createTenant(admin.url);
      for (const example of Object.values<Json>(verifyOperation().requestBody.content['application/json'].examples)) {
        const response = await request(verify.url, 'POST', '/v1/verify', { token: tenant.verifier, body: example.value });
        expect({ status: response.status, code: response.body.code }).toEqual({ status: 200, code: 'NOT_FOUND' });
      }
    });
  });
});
