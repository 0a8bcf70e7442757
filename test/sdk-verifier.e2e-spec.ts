// KeywardVerifier (packages/sdk) against the real verify service, and against loopback stand-ins
// for a verify service that stalls, fails with 5xx or is down: deadlines, retries under one
// Idempotency-Key, failing closed or open, and no key or token in any error, string or log line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { KeywardApiError, KeywardUnavailableError, KeywardVerifier, type KeywardVerifierOptions } from '../packages/sdk/src';
import { closedPortUrl, keysForEveryCode, loopbackStub, ROUTE_SCOPE, VERIFY_CODES, type LoopbackStub } from './sdk-support';
import { createTenant, type TestTenant } from './support/builders';
import { createKey } from './support/key-builders';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';

/** Whether the committed verify document declares the Idempotency-Key header of /v1/verify (docs/api.md). */
function verifyServesIdempotency(): boolean {
  const document = JSON.parse(readFileSync(join(__dirname, '..', 'docs', 'openapi', 'verify.json'), 'utf8'));
  const parameters: { name?: string }[] = document.paths['/v1/verify'].post.parameters ?? [];
  return parameters.some((parameter) => parameter.name?.toLowerCase() === 'idempotency-key');
}

describe('SDK: KeywardVerifier', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let tenant: TestTenant;
  const verifiers: KeywardVerifier[] = [];
  const stubs: LoopbackStub[] = [];
  const warnings: string[] = [];
  const logger = {
    warn: (message: string, fields?: Record<string, unknown>) => warnings.push(`${message} ${JSON.stringify(fields ?? {})}`),
  };

  const verifierOf = (options: Partial<KeywardVerifierOptions> = {}) => {
    const verifier = new KeywardVerifier({ baseUrl: verify.url, token: tenant.verifier, logger, ...options });
    verifiers.push(verifier);
    return verifier;
  };
  const stubOf = async (...behaviours: Parameters<typeof loopbackStub>[0]) => {
    const stub = await loopbackStub(behaviours);
    stubs.push(stub);
    return stub;
  };

  beforeAll(async () => {
    admin = await startAdminApi();
    verify = await startVerify();
    tenant = await createTenant(admin.url);
  });
  afterAll(async () => {
    await Promise.all([...verifiers.map((each) => each.close()), ...stubs.map((each) => each.close())]);
    await Promise.all([admin.close(), verify.close()]);
  });

  it('answers VALID with the key’s facts, the RateLimit headers to pass on and the request id', async () => {
    const { id, key } = await createKey(admin.url, tenant.admin, {
      ownerId: 'c-1',
      scopes: ['orders:*'],
      meta: { plan: 'pro' },
      rateLimit: { limit: 5, windowSeconds: 86_400 },
    });
    const answer = await verifierOf().verify({ key, scopes: ['orders:read'], ip: '203.0.113.7', cost: 2 });
    expect(answer).toMatchObject({ valid: true, code: 'VALID', keyId: id, ownerId: 'c-1', scopes: ['orders:*'], meta: { plan: 'pro' } });
    expect(answer.rateLimit).toMatchObject({ limit: 5, remaining: 3 });
    expect(answer.headers.ratelimit).toMatch(/r=3/);
    expect(answer.headers['ratelimit-policy']).toMatch(/q=5/);
    expect(answer.requestId).toEqual(expect.any(String));
    expect(answer.failedOpen).toBeUndefined();
  });

  it('answers every code verify gives, with Retry-After on RATE_LIMITED', async () => {
    const verifier = verifierOf();
    const keys = await keysForEveryCode(admin.url, tenant, (key) => verifier.verify({ key, scopes: [ROUTE_SCOPE], ip: '127.0.0.1' }));
    for (const code of VERIFY_CODES) {
      const answer = await verifier.verify({ key: keys[code], scopes: [ROUTE_SCOPE], ip: '127.0.0.1' });
      expect({ code, answer: answer.code, valid: answer.valid }).toEqual({ code, answer: code, valid: code === 'VALID' });
    }
    const limited = await verifier.verify({ key: keys.RATE_LIMITED, scopes: [ROUTE_SCOPE], ip: '127.0.0.1' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('sends scopeQuery, rateLimits and principal as given: the service answers them, or names the field it does not take', async () => {
    const { key } = await createKey(admin.url, tenant.admin, { scopes: [ROUTE_SCOPE] });
    const verifier = verifierOf();
    const cases: [string, Partial<Parameters<KeywardVerifier['verify']>[0]>][] = [
      ['scopeQuery', { scopeQuery: `${ROUTE_SCOPE} OR orders:admin` }],
      ['principal', { principal: true }],
      // A limit the key does not have: refused naming the field once the service takes rateLimits too.
      ['rateLimits', { rateLimits: [{ name: 'burst', cost: 2 }] }],
    ];
    for (const [field, extra] of cases) {
      const outcome = await verifier.verify({ key, ...extra }).catch((error: unknown) => error);
      if (outcome instanceof KeywardApiError) {
        expect({ field, status: outcome.status, named: outcome.errors.some((error) => error.field.startsWith(field)) }).toEqual({
          field,
          status: 400,
          named: true,
        });
      } else {
        expect({ field, code: (outcome as { code: string }).code }).toEqual({ field, code: 'VALID' });
      }
    }
  });

  it('raises KeywardApiError, once and without retrying, when verify refuses the credential; neither key nor token shows', async () => {
    const { key } = await createKey(admin.url, tenant.admin);
    const stub = await stubOf({ forwardTo: verify.url });
    const badToken = `${tenant.verifier.slice(0, -4)}AAAA`;
    const error = await verifierOf({ baseUrl: stub.url, token: badToken })
      .verify({ key })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeywardApiError);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', requestId: expect.any(String) });
    expect(stub.requests).toHaveLength(1);
    for (const text of [String(error), (error as Error).message, inspect(error), JSON.stringify(error)]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(badToken);
    }
  });

  it('honours the deadline against a service that stalls, retrying under one Idempotency-Key, and fails closed', async () => {
    const stub = await stubOf({ stall: true });
    const { key } = await createKey(admin.url, tenant.admin);
    const started = Date.now();
    const error = await verifierOf({ baseUrl: stub.url })
      .verify({ key })
      .catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(KeywardUnavailableError);
    expect(error).toMatchObject({ reason: 'timeout', attempts: stub.requests.length });
    // The default deadline is 1 s: the call ends then, not at the stub's (never) answer.
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(1_300);
    expect(stub.requests.length).toBeGreaterThanOrEqual(2);
    const idempotencyKeys = new Set(stub.requests.map((headers) => headers['idempotency-key']));
    expect(idempotencyKeys.size).toBe(1);
    expect([...idempotencyKeys][0]).toMatch(/^[\x21-\x7e]{1,255}$/);
  });

  it('retries a stalled attempt and 5xx answers with the same Idempotency-Key until the service answers', async () => {
    const { key } = await createKey(admin.url, tenant.admin);
    const stalledFirst = await stubOf({ stall: true }, { forwardTo: verify.url });
    expect(await verifierOf({ baseUrl: stalledFirst.url, attemptTimeoutMs: 200 }).verify({ key })).toMatchObject({
      valid: true,
      code: 'VALID',
    });
    const failingFirst = await stubOf({ status: 503 }, { status: 502 }, { forwardTo: verify.url });
    expect(await verifierOf({ baseUrl: failingFirst.url, backoffBaseMs: 10 }).verify({ key })).toMatchObject({
      valid: true,
      code: 'VALID',
    });
    for (const stub of [stalledFirst, failingFirst]) {
      expect(new Set(stub.requests.map((headers) => headers['idempotency-key'])).size).toBe(1);
    }
    expect(stalledFirst.requests).toHaveLength(2);
    expect(failingFirst.requests).toHaveLength(3);
    // Each call has its own key.
    expect(stalledFirst.requests[0]['idempotency-key']).not.toBe(failingFirst.requests[0]['idempotency-key']);
  });

  (verifyServesIdempotency() ? it : it.skip)('charges once when an answer is lost and the call retried', async () => {
    const { key } = await createKey(admin.url, tenant.admin, { remaining: 5 });
    const stub = await stubOf({ forwardTo: verify.url, holdAnswerMs: 800 }, { forwardTo: verify.url });
    const answer = await verifierOf({ baseUrl: stub.url, attemptTimeoutMs: 300, timeoutMs: 2_000 }).verify({ key });
    expect(answer).toMatchObject({ valid: true, code: 'VALID', remaining: 4 });
    expect(stub.requests).toHaveLength(2);
    // The service's own count: a new call (a new Idempotency-Key) finds 3 left, not 2.
    expect((await verifierOf().verify({ key })).remaining).toBe(3);
  });

  it('against a service that is down: a clear KeywardUnavailableError, or VALID marked failedOpen with failOpen', async () => {
    const down = await closedPortUrl();
    const { key } = await createKey(admin.url, tenant.admin);
    warnings.length = 0;
    const error = await verifierOf({ baseUrl: down })
      .verify({ key })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeywardUnavailableError);
    expect(error).toMatchObject({ reason: 'network', errorCode: 'ECONNREFUSED', attempts: 3 });
    expect((error as Error).message).toContain(`Keyward verify service at ${down} unavailable: ECONNREFUSED`);
    const open = await verifierOf({ baseUrl: down, failOpen: true }).verify({ key, scopes: ['x'] });
    expect(open).toEqual({ valid: true, code: 'VALID', failedOpen: true, headers: {} });
    expect(warnings.some((line) => line.includes('failing closed'))).toBe(true);
    expect(warnings.some((line) => line.includes('failing open'))).toBe(true);
    for (const text of [String(error), inspect(error), JSON.stringify(error), ...warnings]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(tenant.verifier);
    }
  });

  it('shows no token in its own string, JSON or inspection', () => {
    const verifier = verifierOf();
    for (const text of [String(verifier), JSON.stringify(verifier), inspect(verifier, { showHidden: true, depth: 5 })]) {
      expect(text).not.toContain(tenant.verifier);
    }
  });
});
