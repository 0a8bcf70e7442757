// /v1/forward-auth on the verify service (docs/gateways.md): its answers as such, and the gateway
// scenarios with requests shaped exactly as Envoy's ext_authz and Traefik's ForwardAuth send them,
// from the configuration files the doc quotes. The real nginx runs in gateways-nginx.e2e-spec.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scrape, total } from '../bench/support/prometheus-text';
import { createCredential, createTenant, type TestTenant } from './support/builders';
import { gatewayScenarios } from './support/gateway-scenarios';
import { envoyGateway, rawRequest, traefikGateway, type Gateway, type Headers } from './support/gateways';
import { client } from './support/http-client';
import { createKey } from './support/key-builders';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';

const ROOT = join(__dirname, '..');

describe('forward auth', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let tenant: TestTenant;
  const logs: string[] = [];

  beforeAll(async () => {
    // Nest's logger is one per process: both services write to the destination the test reads.
    const logDestination = { write: (line: string) => void logs.push(line) };
    admin = await startAdminApi({ logDestination });
    verify = await startVerify({ logDestination });
    tenant = await createTenant(admin.url);
  });
  afterAll(async () => {
    await Promise.all([admin?.close(), verify?.close()]);
  });

  describe('as Envoy ext_authz (HTTP service) sends it, from docker/envoy/envoy.yaml', () => {
    let gateway: Gateway;
    beforeAll(() => {
      gateway = envoyGateway(verify.url, tenant.verifier);
    });
    gatewayScenarios(() => ({ gateway, adminUrl: admin.url, tenant }), { scopesOnPath: false });
  });

  describe('as Traefik ForwardAuth sends it, from docker/traefik/dynamic.yaml', () => {
    let gateway: Gateway;
    beforeAll(() => {
      gateway = traefikGateway(verify.url, tenant.verifier);
    });
    gatewayScenarios(() => ({ gateway, adminUrl: admin.url, tenant }), { scopesOnPath: true });
  });

  describe('/v1/forward-auth', () => {
    const forwardAuth = (path: string, headers: Headers, method = 'GET', verifier: string | null = tenant.verifier) =>
      rawRequest(verify.url, method, path, verifier === null ? headers : { 'keyward-verifier': verifier, ...headers });
    const key = (body: Record<string, unknown> = {}) => createKey(admin.url, tenant.admin, body) as Promise<{ id: string; key: string }>;

    it('answers VALID with 200, no body and the key in headers, for any method and any path below the route', async () => {
      const { id, key: plaintext } = await key({
        ownerId: 'cust-7',
        scopes: ['a', 'b:*'],
        meta: { tier: 'gold' },
        rateLimit: { limit: 50, windowSeconds: 60 },
      });
      for (const [method, path] of [
        ['GET', '/v1/forward-auth'],
        ['POST', '/v1/forward-auth/'],
        ['DELETE', '/v1/forward-auth/orders/1?x=1'],
        ['PUT', '/v1/forward-auth/'],
        ['HEAD', '/v1/forward-auth/a/b'],
      ]) {
        const answer = await forwardAuth(path, { authorization: `Bearer ${plaintext}` }, method);
        expect({ method, path, status: answer.status, body: answer.body }).toEqual({ method, path, status: 200, body: '' });
        expect(answer.headers).toMatchObject({
          'keyward-code': 'VALID',
          'keyward-key-id': id,
          'keyward-owner-id': 'cust-7',
          'keyward-scopes': 'a,b:*',
          'keyward-meta': Buffer.from(JSON.stringify({ tier: 'gold' })).toString('base64url'),
          'ratelimit-policy': '"key";q=50;w=60',
          'x-request-id': expect.any(String),
        });
        expect(answer.headers.ratelimit).toMatch(/^"key";r=\d+;t=\d+$/);
      }
      // A path that only begins like the route is not the route.
      expect((await forwardAuth('/v1/forward-authz', { authorization: `Bearer ${plaintext}` })).status).toBe(404);
    });

    it('answers each refusal with its status, Keyward-Code and a problem body', async () => {
      const { id, key: revoked } = await key();
      await fetch(`${admin.url}/v1/keys/${id}/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.admin}`, 'content-type': 'application/json' },
        body: '{}',
      });
      const scoped = await key({ scopes: ['a'] });
      const cases: Array<[string, Headers, number, string]> = [
        ['/v1/forward-auth', { authorization: `Bearer ${revoked}` }, 401, 'REVOKED'],
        ['/v1/forward-auth', { 'x-api-key': 'not-a-key' }, 401, 'MALFORMED'],
        ['/v1/forward-auth?scopes=a,b', { authorization: `Bearer ${scoped.key}` }, 403, 'INSUFFICIENT_SCOPE'],
      ];
      for (const [path, headers, status, code] of cases) {
        const answer = await forwardAuth(path, headers);
        expect({ code, status: answer.status, keywardCode: answer.headers['keyward-code'], type: answer.headers['content-type'] }).toEqual({
          code,
          status,
          keywardCode: code,
          type: 'application/problem+json; charset=utf-8',
        });
        expect(JSON.parse(answer.body)).toMatchObject({ status, code: status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN' });
        expect(JSON.parse(answer.body).detail).toContain(code);
      }
      expect((await forwardAuth('/v1/forward-auth?scopes=a', { authorization: `Bearer ${scoped.key}` })).status).toBe(200);
    });

    it('takes the address from X-Real-IP, else from the first of X-Forwarded-For', async () => {
      const { key: plaintext } = await key({ ipAllowlist: ['10.0.0.0/8'] });
      const status = async (headers: Headers) => (await forwardAuth('/v1/forward-auth', { 'x-api-key': plaintext, ...headers })).status;
      expect(await status({ 'x-forwarded-for': '10.1.1.1, 192.0.2.1' })).toBe(200);
      expect(await status({ 'x-forwarded-for': '192.0.2.1, 10.1.1.1' })).toBe(403);
      expect(await status({ 'x-real-ip': '10.2.2.2', 'x-forwarded-for': '192.0.2.1' })).toBe(200);
      expect(await status({ 'x-real-ip': '192.0.2.1', 'x-forwarded-for': '10.1.1.1' })).toBe(403);
      expect(await status({})).toBe(403);
    });

    it('charges `cost`, and with gateway=nginx answers 403 instead of 429, with the same Keyward-Code and Retry-After', async () => {
      const credits = await key({ remaining: 5 });
      const charge = (query: string) => forwardAuth(`/v1/forward-auth${query}`, { 'x-api-key': credits.key });
      expect((await charge('?cost=3')).status).toBe(200);
      const spent = await charge('?cost=3');
      expect({ status: spent.status, code: spent.headers['keyward-code'] }).toEqual({ status: 429, code: 'USAGE_EXCEEDED' });
      const spentNginx = await charge('?cost=3&gateway=nginx');
      expect({ status: spentNginx.status, code: spentNginx.headers['keyward-code'] }).toEqual({ status: 403, code: 'USAGE_EXCEEDED' });
      expect((await charge('?cost=2&gateway=nginx')).status).toBe(200);

      const limited = await key({ rateLimit: { limit: 1, windowSeconds: 60 } });
      const once = (query: string) => forwardAuth(`/v1/forward-auth${query}`, { 'x-api-key': limited.key });
      expect((await once('?gateway=nginx')).status).toBe(200);
      const refused = await once('?gateway=nginx');
      expect({ status: refused.status, code: refused.headers['keyward-code'] }).toEqual({ status: 403, code: 'RATE_LIMITED' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const refusedOther = await once('?gateway=traefik');
      expect({ status: refusedOther.status, retryAfter: refusedOther.headers['retry-after'] }).toEqual({
        status: 429,
        retryAfter: refused.headers['retry-after'],
      });
    });

    it('answers 400 naming each bad parameter of the route, and reads no parameter from a path below it (the client’s own query)', async () => {
      const { key: plaintext } = await key();
      for (const [query, field] of [
        ['cost=0', 'cost'],
        ['cost=1.5', 'cost'],
        ['cost=1000001', 'cost'],
        ['cost=abc', 'cost'],
        ['cost=1&cost=2', 'cost'],
        ['gateway=haproxy', 'gateway'],
        ['scopes=a,,b', 'scopes'],
        [`scopes=${'s'.repeat(65)}`, 'scopes'],
        [`scopes=${Array.from({ length: 101 }, (_, i) => `s${i}`).join(',')}`, 'scopes'],
        ['scope=a', 'scope'],
      ]) {
        const answer = await forwardAuth(`/v1/forward-auth?${query}`, { 'x-api-key': plaintext });
        expect({ query, status: answer.status }).toEqual({ query, status: 400 });
        const problem = JSON.parse(answer.body);
        expect({ query, code: problem.code, fields: problem.errors.map((error: { field: string }) => error.field) }).toEqual({
          query,
          code: 'VALIDATION_FAILED',
          fields: [field],
        });
      }
      expect((await forwardAuth('/v1/forward-auth/search?cost=abc&scopes=zz', { 'x-api-key': plaintext })).status).toBe(200);
      // scopeQuery is taken and handed to the verification with the rest (docs/gateways.md, Parameters).
      expect((await forwardAuth('/v1/forward-auth?scopeQuery=a', { 'x-api-key': plaintext })).status).toBe(403);
      expect(JSON.parse((await forwardAuth('/v1/forward-auth?scopeQuery=a%20AND', { 'x-api-key': plaintext })).body)).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'scopeQuery' }],
      });
    });

    it('applies a scope query to the key’s effective scopes, its roles’ included', async () => {
      const roles = client(admin.url, tenant.admin);
      expect((await roles.put('/v1/roles/gateway-support', { scopes: ['tickets:read', 'tickets:write'] })).status).toBe(200);
      const { key: plaintext } = await key({ scopes: ['billing:read'], roles: ['gateway-support'] });
      const ask = (query: string) => forwardAuth(`/v1/forward-auth?scopeQuery=${encodeURIComponent(query)}`, { 'x-api-key': plaintext });
      const granted = await ask('tickets:write AND (billing:read OR admin)');
      expect([granted.status, granted.headers['keyward-code']]).toEqual([200, 'VALID']);
      expect(granted.headers['keyward-scopes']).toBe('billing:read,tickets:read,tickets:write');
      const refused = await ask('tickets:write AND admin');
      expect([refused.status, refused.headers['keyward-code']]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    });

    it('counts its answers in the HTTP duration histogram by method, route and status, and its verifications by code', async () => {
      const counts = async () => {
        const samples = await scrape(`${verify.url}/metrics`);
        return {
          durations: total(samples, 'http_request_duration_seconds_count', [
            'method="PATCH"',
            'route="/v1/forward-auth"',
            'status_code="401"',
          ]),
          malformed: total(samples, 'keyward_verifications_total', ['code="MALFORMED"']),
        };
      };
      const before = await counts();
      for (let i = 0; i < 3; i++) expect((await forwardAuth('/v1/forward-auth/x', { 'x-api-key': 'nope' }, 'PATCH')).status).toBe(401);
      expect(await counts()).toEqual({ durations: before.durations + 3, malformed: before.malformed + 3 });
    });

    it('answers 401 with `WWW-Authenticate: Bearer` alone when no key was sent', async () => {
      const answer = await forwardAuth('/v1/forward-auth', { authorization: 'Basic dXNlcjpwYXNz' });
      expect({ status: answer.status, code: answer.headers['keyward-code'], auth: answer.headers['www-authenticate'] }).toEqual({
        status: 401,
        code: 'MALFORMED',
        auth: 'Bearer',
      });
    });

    it('percent-encodes an owner id that is not plain printable ASCII', async () => {
      const { key: plaintext } = await key({ ownerId: 'Zoë 100%' });
      const answer = await forwardAuth('/v1/forward-auth', { 'x-api-key': plaintext });
      expect(answer.headers['keyward-owner-id']).toBe('Zo%C3%AB%20100%25');
      expect(decodeURIComponent(answer.headers['keyward-owner-id'])).toBe('Zoë 100%');
    });

    it('answers 502 VERIFIER_REJECTED for a missing, unknown or non-verifier Keyward-Verifier, and logs a warning without the credential', async () => {
      const { key: plaintext } = await key();
      const auditor = await createCredential(admin.url, tenant.id, 'auditor');
      const unknown = `${tenant.verifier.slice(0, -4)}zzzz`;
      for (const [what, verifier, reason] of [
        ['missing', null, 'missing'],
        ['unknown', unknown, 'rejected'],
        ['an auditor', auditor.token, 'rejected'],
        // The client's own Authorization is never taken for the gateway's credential.
      ] as Array<[string, string | null, string]>) {
        const before = logs.length;
        const answer = await forwardAuth(
          '/v1/forward-auth',
          { authorization: `Bearer ${tenant.verifier}`, 'x-api-key': plaintext },
          'GET',
          verifier,
        );
        expect({ what, status: answer.status, type: answer.headers['content-type'] }).toEqual({
          what,
          status: 502,
          type: 'application/problem+json; charset=utf-8',
        });
        expect(JSON.parse(answer.body)).toMatchObject({
          status: 502,
          code: 'VERIFIER_REJECTED',
          requestId: answer.headers['x-request-id'],
        });
        const said = logs.slice(before).map((line) => JSON.parse(line) as { level: number; msg: string; reason?: string });
        const warnings = said.filter((line) => line.level === 40);
        expect(warnings).toEqual([expect.objectContaining({ reason, msg: expect.stringContaining('Keyward-Verifier') })]);
        for (const line of logs.slice(before)) {
          expect(line).not.toContain(tenant.verifier);
          expect(line).not.toContain(auditor.token);
          expect(line).not.toContain(unknown);
        }
      }
    });
  });
});

describe('docs/gateways.md', () => {
  const doc = readFileSync(join(ROOT, 'docs/gateways.md'), 'utf8');
  it.each([
    ['docker/nginx/keyward-server.conf', 'nginx'],
    ['docker/nginx/keyward-location.conf', 'nginx'],
    ['docker/nginx/example.conf', 'nginx'],
    ['docker/envoy/envoy.yaml', 'yaml'],
    ['docker/traefik/dynamic.yaml', 'yaml'],
  ])('quotes %s verbatim, the file the gateway tests run', (file, language) => {
    expect(doc).toContain(`\`\`\`${language}\n${readFileSync(join(ROOT, file), 'utf8')}\`\`\``);
  });
});
