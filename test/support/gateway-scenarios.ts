// The scenarios every gateway of docs/gateways.md must pass, as jest tests: called inside a describe
// of a suite that has started the services and the gateway (support/gateways.ts).
import type { TestTenant } from './builders';
import type { Gateway, GatewayAnswer, Headers } from './gateways';
import { KEY_SHAPE_ANYWHERE, createKey } from './key-builders';

export interface GatewaySetup {
  gateway: Gateway;
  adminUrl: string;
  tenant: TestTenant;
}

/** What Keyward puts on a request for the service: a client's own ones must never get through. */
const FORGED: Headers = {
  'keyward-key-id': 'forged-key-id',
  'keyward-owner-id': 'forged-owner',
  'keyward-scopes': 'admin:*',
  'keyward-meta': 'e30',
  'keyward-principal': 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJmb3JnZWQifQ.',
};

export function gatewayScenarios(setup: () => GatewaySetup, options: { scopesOnPath: boolean }): void {
  const upstreams: Headers[] = [];
  const keys: string[] = [];
  const send = async (path: string, headers: Headers, method = 'GET'): Promise<GatewayAnswer> => {
    const answer = await setup().gateway.send({ method, path, headers: { host: 'service.example', ...headers } });
    if (answer.upstream) upstreams.push(answer.upstream);
    return answer;
  };
  const key = async (body: Record<string, unknown>): Promise<{ id: string; key: string }> => {
    const created = await createKey(setup().adminUrl, setup().tenant.admin, body);
    keys.push(created.key);
    return created;
  };

  it('lets a valid key through with Keyward-Key-Id, -Owner-Id, -Scopes and -Meta set by the gateway, replacing the client’s own', async () => {
    const meta = { plan: 'pro', seats: 3 };
    const { id, key: plaintext } = await key({ ownerId: 'cust-1', scopes: ['orders:read', 'reports:*'], meta });
    const answer = await send('/orders/17?page=2', { authorization: `Bearer ${plaintext}`, ...FORGED }, 'POST');
    expect({ status: answer.status, reached: answer.upstream !== null }).toEqual({ status: 200, reached: true });
    expect(answer.upstream).toMatchObject({
      'keyward-key-id': id,
      'keyward-owner-id': 'cust-1',
      'keyward-scopes': 'orders:read,reports:*',
    });
    expect(JSON.parse(Buffer.from(answer.upstream!['keyward-meta'], 'base64url').toString('utf8'))).toEqual(meta);
    // The signed principal is Keyward's (when it signs them) or absent, never the client's.
    expect(answer.upstream!['keyward-principal']).not.toBe(FORGED['keyward-principal']);
    expect(answer.upstream!.authorization).toBeUndefined();
  });

  it('takes the key from X-API-Key too, and drops a client’s Keyward-Owner-Id when the key has no owner', async () => {
    const { id, key: plaintext } = await key({});
    const answer = await send('/anything', { 'x-api-key': plaintext, ...FORGED });
    expect(answer.status).toBe(200);
    expect(answer.upstream!['keyward-key-id']).toBe(id);
    expect(answer.upstream!['keyward-owner-id']).toBeUndefined();
    expect(answer.upstream!['keyward-scopes'] ?? '').toBe('');
    expect(answer.upstream!['x-api-key']).toBeUndefined();
  });

  it('answers 401 with WWW-Authenticate for a bad key, and for no key at all, without reaching the service', async () => {
    const { key: plaintext } = await key({});
    const flipped = plaintext.slice(0, -1) + (plaintext.endsWith('a') ? 'b' : 'a');
    const bad = await send('/orders/1', { authorization: `Bearer ${flipped}` });
    expect({ status: bad.status, wwwAuthenticate: bad.headers['www-authenticate'], reached: bad.upstream !== null }).toEqual({
      status: 401,
      wwwAuthenticate: 'Bearer error="invalid_token"',
      reached: false,
    });
    const none = await send('/orders/1', {});
    expect({ status: none.status, wwwAuthenticate: none.headers['www-authenticate'], reached: none.upstream !== null }).toEqual({
      status: 401,
      wwwAuthenticate: 'Bearer',
      reached: false,
    });
  });

  it('answers 403 for a key whose IP allowlist leaves the client out, without reaching the service', async () => {
    const { key: plaintext } = await key({ ipAllowlist: ['10.0.0.0/8'] });
    // A client's own claim of an address in the allowlist changes nothing where the gateway sets it.
    const answer = await send('/anything', { authorization: `Bearer ${plaintext}`, 'x-real-ip': '10.1.2.3' });
    expect({ status: answer.status, reached: answer.upstream !== null }).toEqual({ status: 403, reached: false });
    const allowed = await key({ ipAllowlist: ['127.0.0.0/8'] });
    expect((await send('/anything', { authorization: `Bearer ${allowed.key}` })).status).toBe(200);
  });

  if (options.scopesOnPath) {
    it('answers 403 on a path that needs a scope the key lacks, and lets it through elsewhere', async () => {
      const { key: plaintext } = await key({ scopes: ['billing:read'] });
      const refused = await send('/orders/1', { authorization: `Bearer ${plaintext}` });
      expect({ status: refused.status, reached: refused.upstream !== null }).toEqual({ status: 403, reached: false });
      expect((await send('/billing', { authorization: `Bearer ${plaintext}` })).status).toBe(200);
    });
  }

  it('answers 429 with Retry-After and Keyward-Code RATE_LIMITED once the rate limit is used up, and 429 USAGE_EXCEEDED without credits', async () => {
    const limited = await key({ rateLimit: { limit: 1, windowSeconds: 60 } });
    expect((await send('/anything', { authorization: `Bearer ${limited.key}` })).status).toBe(200);
    const refused = await send('/anything', { authorization: `Bearer ${limited.key}` });
    expect({ status: refused.status, code: refused.headers['keyward-code'], reached: refused.upstream !== null }).toEqual({
      status: 429,
      code: 'RATE_LIMITED',
      reached: false,
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);

    const credits = await key({ remaining: 1 });
    expect((await send('/anything', { 'x-api-key': credits.key })).status).toBe(200);
    const spent = await send('/anything', { 'x-api-key': credits.key });
    expect({ status: spent.status, code: spent.headers['keyward-code'], reached: spent.upstream !== null }).toEqual({
      status: 429,
      code: 'USAGE_EXCEEDED',
      reached: false,
    });
  });

  it('never lets a key reach the service', () => {
    expect(upstreams.length).toBeGreaterThan(0);
    for (const headers of upstreams) {
      for (const value of Object.values(headers)) {
        expect(KEY_SHAPE_ANYWHERE.test(value)).toBe(false);
        for (const plaintext of keys) expect(value.includes(plaintext)).toBe(false);
      }
    }
  });
}
