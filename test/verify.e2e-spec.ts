import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client } from './support/http-client';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<{ value: T; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() - started > timeoutMs) return { value, elapsedMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('verify', () => {
  let admin: RunningHttpApp;
  let verifyA: RunningHttpApp;
  let verifyB: RunningHttpApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = await startAdminApi();
    // Two verify services with their own caches and connections, as two processes would be.
    verifyA = await startVerify();
    verifyB = await startVerify();
    tenant = await createTenant(admin.url);
  });
  afterAll(async () => {
    await Promise.all([admin.close(), verifyA.close(), verifyB.close()]);
  });

  const createKey = async (body: Record<string, unknown> = {}, owner: TestTenant = tenant) => {
    const created = await client(admin.url, owner.admin).post('/v1/keys', { name: 'k', ...body });
    expect(created.status).toBe(201);
    return created.body as { id: string; key: string };
  };
  const verify = (service: RunningHttpApp, body: Record<string, unknown>, token = tenant.verifier) =>
    client(service.url, token).post('/v1/verify', body);

  it('answers VALID with the key’s facts, and MALFORMED for a string of the wrong shape or checksum', async () => {
    const { id, key } = await createKey({ ownerId: 'cust-1', scopes: ['billing:*'], meta: { plan: 'pro' } });
    const answer = await verify(verifyA, { key, scopes: ['billing:read'] });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      valid: true,
      code: 'VALID',
      keyId: id,
      ownerId: 'cust-1',
      environment: 'live',
      scopes: ['billing:*'],
      meta: { plan: 'pro' },
      expiresAt: null,
      remaining: null,
    });
    const flipped = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
    expect((await verify(verifyA, { key: flipped })).body).toEqual({ valid: false, code: 'MALFORMED' });
    expect((await verify(verifyA, { key: '' })).body).toEqual({ valid: false, code: 'MALFORMED' });
    expect((await verify(verifyA, { scopes: [] })).status).toBe(400);
  });

  it('answers NOT_FOUND for a key of another tenant', async () => {
    const other = await createTenant(admin.url);
    const { key } = await createKey({}, other);
    expect((await verify(verifyA, { key })).body).toEqual({ valid: false, code: 'NOT_FOUND' });
    expect((await verify(verifyA, { key }, other.verifier)).body.code).toBe('VALID');
  });

  it('applies scopes, the IP allowlist and the precedence of codes', async () => {
    const { key } = await createKey({ scopes: ['reports:read'], ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'] });
    expect((await verify(verifyA, { key, ip: '10.1.2.3', scopes: ['reports:read'] })).body.code).toBe('VALID');
    expect((await verify(verifyA, { key, ip: '2001:db8::9' })).body.code).toBe('VALID');
    expect((await verify(verifyA, { key })).body.code).toBe('IP_NOT_ALLOWED');
    expect((await verify(verifyA, { key, ip: '11.0.0.1', scopes: ['admin'] })).body.code).toBe('IP_NOT_ALLOWED');
    expect((await verify(verifyA, { key, ip: '10.0.0.1', scopes: ['admin'] })).body.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('puts revoke, disable, patch, rotation and tenant suspension in force on every verify process within a second', async () => {
    const own = await createTenant(admin.url);
    const { id, key } = await createKey({ scopes: ['a'] }, own);
    const api = client(admin.url, own.admin);
    const bothAnswer = async (code: string, body: Record<string, unknown> = { key }) => {
      for (const service of [verifyA, verifyB]) {
        const { value, elapsedMs } = await waitFor(
          () => verify(service, body, own.verifier),
          (answer) => answer.body.code === code,
          1_000,
        );
        expect(value.body.code).toBe(code);
        expect(elapsedMs).toBeLessThanOrEqual(1_000);
      }
    };
    await bothAnswer('VALID'); // warm both caches
    await api.patch(`/v1/keys/${id}`, { enabled: false });
    await bothAnswer('DISABLED');
    await api.patch(`/v1/keys/${id}`, { enabled: true, scopes: ['b'] });
    await bothAnswer('INSUFFICIENT_SCOPE', { key, scopes: ['a'] });
    await client(admin.url, TEST_PLATFORM_TOKEN).post(`/v1/tenants/${own.id}/suspend`);
    await bothAnswer('DISABLED');
    await client(admin.url, TEST_PLATFORM_TOKEN).post(`/v1/tenants/${own.id}/resume`);
    await bothAnswer('VALID');
    await api.post(`/v1/keys/${id}/revoke`, {});
    await bothAnswer('REVOKED');
  });

  it('answers EXPIRED for a rotated key past its grace', async () => {
    const { id, key } = await createKey();
    const rotated = await client(admin.url, tenant.admin).post(`/v1/keys/${id}/rotate`, { gracePeriodSeconds: 0 });
    expect(rotated.status).toBe(201);
    const { value } = await waitFor(
      () => verify(verifyA, { key }),
      (answer) => answer.body.code === 'EXPIRED',
      1_000,
    );
    expect(value.body.code).toBe('EXPIRED');
    expect((await verify(verifyA, { key: rotated.body.key })).body.code).toBe('VALID');
  });

  it('lets exactly the limit through a window across two processes, with the RateLimit headers', async () => {
    const { key } = await createKey({ rateLimit: { limit: 50, windowSeconds: 3600 } }); // an hour-long window: the burst cannot straddle two windows
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => verify(i % 2 ? verifyA : verifyB, { key })));
    expect(answers.filter((answer) => answer.body.code === 'VALID')).toHaveLength(50);
    expect(answers.filter((answer) => answer.body.code === 'RATE_LIMITED')).toHaveLength(250);
    const limited = answers.find((answer) => answer.body.code === 'RATE_LIMITED')!;
    expect(limited.headers.get('ratelimit-policy')).toBe('"key";q=50;w=3600');
    expect(limited.headers.get('ratelimit')).toMatch(/^"key";r=0;t=\d+$/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.body.rateLimit).toMatchObject({ limit: 50, remaining: 0 });
  });

  it('spends credits exactly across two processes and never below zero', async () => {
    const { id, key } = await createKey({ remaining: 40 });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => verify(i % 2 ? verifyA : verifyB, { key })));
    expect(answers.filter((answer) => answer.body.code === 'VALID')).toHaveLength(40);
    expect(answers.filter((answer) => answer.body.code === 'USAGE_EXCEEDED')).toHaveLength(160);
    expect(Math.min(...answers.map((answer) => answer.body.remaining))).toBe(0);
    const stored = await waitFor(
      () => client(admin.url, tenant.admin).get(`/v1/keys/${id}`),
      (answer) => answer.body.remaining === 0,
      3_000,
    );
    expect(stored.value.body.remaining).toBe(0);
  });

  it('charges cost, and only for VALID answers', async () => {
    const { key } = await createKey({ remaining: 10, scopes: ['x'] });
    expect((await verify(verifyA, { key, cost: 4 })).body).toMatchObject({ code: 'VALID', remaining: 6 });
    expect((await verify(verifyA, { key, cost: 4, scopes: ['y'] })).body).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
    expect((await verify(verifyA, { key, cost: 7 })).body).toMatchObject({ code: 'USAGE_EXCEEDED', remaining: 6 });
    expect((await verify(verifyA, { key, cost: 6 })).body).toMatchObject({ code: 'VALID', remaining: 0 });
  });

  it('sets the balance exactly when remaining is patched while traffic flows', async () => {
    const { id, key } = await createKey({ remaining: 1_000 });
    const traffic = Promise.all(Array.from({ length: 100 }, () => verify(verifyA, { key })));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await client(admin.url, tenant.admin).patch(`/v1/keys/${id}`, { remaining: 5 })).status).toBe(200);
    await traffic;
    // Write-backs read before the PATCH must not overwrite it: after them the balance is what the PATCH set,
    // less what was spent after it.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const after = await client(admin.url, tenant.admin).get(`/v1/keys/${id}`);
    expect(after.body.remaining).toBeLessThanOrEqual(5);
    const spent = await Promise.all(Array.from({ length: 10 }, () => verify(verifyB, { key })));
    expect(spent.filter((answer) => answer.body.code === 'VALID')).toHaveLength(after.body.remaining);
  });

  it('counts every verification per code and keeps lastUsedAt', async () => {
    const { id, key } = await createKey({ scopes: ['a'] });
    await Promise.all([
      ...Array.from({ length: 7 }, () => verify(verifyA, { key })),
      ...Array.from({ length: 3 }, () => verify(verifyB, { key, scopes: ['b'] })),
    ]);
    const usage = await waitFor(
      () => client(admin.url, tenant.auditor).get(`/v1/keys/${id}/usage`),
      (answer) => answer.body.buckets?.[0]?.total === 10,
      5_000,
    );
    expect(usage.value.body).toMatchObject({
      keyId: id,
      granularity: 'hour',
      buckets: [{ total: 10, counts: { VALID: 7, INSUFFICIENT_SCOPE: 3 } }],
    });
    const stored = await client(admin.url, tenant.admin).get(`/v1/keys/${id}`);
    expect(stored.body.lastUsedAt).not.toBeNull();
    const daily = await client(admin.url, tenant.auditor).get(`/v1/keys/${id}/usage?granularity=day`);
    expect(daily.body.buckets[0]).toMatchObject({ total: 10 });
    const rows = await sql('owner', 'SELECT count(*)::int AS n FROM key_usage WHERE key_id = $1', [id]);
    expect(rows[0].n).toBe(2);
  });
});
