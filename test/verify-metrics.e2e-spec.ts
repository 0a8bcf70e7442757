// What the verify service's /metrics reports after a known sequence of verifications: its hot
// path counts as plain numbers and fixed-bucket series, taken up at each scrape, so a scrape
// must show every count made before it, once.
import { parseSamples, total } from '../bench/support/prometheus-text';
import { createTenant, type TestTenant } from './support/builders';
import { client, request } from './support/http-client';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';

describe('verify metrics', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = await startAdminApi();
    verify = await startVerify();
    tenant = await createTenant(admin.url);
  });
  afterAll(async () => {
    await Promise.all([admin.close(), verify.close()]);
  });

  const createKey = async (body: Record<string, unknown>, owner = tenant): Promise<string> => {
    const created = await client(admin.url, owner.admin).post('/v1/keys', { name: 'metrics', ...body });
    expect(created.status).toBe(201);
    return created.body.key;
  };
  const codeOf = async (body: Record<string, unknown>, token = tenant.verifier): Promise<string | number> => {
    const answer = await client(verify.url, token).post('/v1/verify', body);
    return answer.status === 200 ? answer.body.code : answer.status;
  };
  const scrape = async (): Promise<Map<string, number>> => parseSamples((await request<string>(verify.url, 'GET', '/metrics')).body);
  /** The value of metric `name` over the series with these labels (0 when there is none). */
  const sample = (samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number =>
    total(
      samples,
      name,
      Object.entries(labels).map(([label, value]) => `${label}="${value}"`),
    );

  it('counts verifications by code, cache hits and misses, and both duration histograms, each once per scrape', async () => {
    const plain = await createKey({});
    const limited = await createKey({ rateLimit: { limit: 1, windowSeconds: 60 } });
    const elsewhere = await createKey({}, await createTenant(admin.url));

    const codes = [
      await codeOf({ key: plain }), // key cache miss; the verifier's first call: verifier cache miss
      await codeOf({ key: plain }),
      await codeOf({ key: plain }),
      await codeOf({ key: limited }), // miss
      await codeOf({ key: limited }),
      await codeOf({ key: elsewhere }), // another tenant's key: miss, NOT_FOUND
      await codeOf({ key: 'kw_live_not-a-key' }), // MALFORMED from the string alone: no look-up
      await codeOf({ key: plain }, 'kwc_unknownunknownunknownunknownunknown00'), // verifier cache miss, 401
    ];
    expect(codes).toEqual(['VALID', 'VALID', 'VALID', 'VALID', 'RATE_LIMITED', 'NOT_FOUND', 'MALFORMED', 401]);

    const first = await scrape();
    expect(sample(first, 'keyward_verifications_total', { code: 'VALID' })).toBe(4);
    expect(sample(first, 'keyward_verifications_total', { code: 'RATE_LIMITED' })).toBe(1);
    expect(sample(first, 'keyward_verifications_total', { code: 'NOT_FOUND' })).toBe(1);
    expect(sample(first, 'keyward_verifications_total', { code: 'MALFORMED' })).toBe(1);
    expect(sample(first, 'keyward_verify_cache_misses_total', { cache: 'keys' })).toBe(3);
    expect(sample(first, 'keyward_verify_cache_hits_total', { cache: 'keys' })).toBe(3);
    expect(sample(first, 'keyward_verify_cache_misses_total', { cache: 'verifiers' })).toBe(2);
    expect(sample(first, 'keyward_verify_cache_hits_total', { cache: 'verifiers' })).toBe(6);

    // Server time of the 7 answers given (200), in cumulative buckets ending at the count.
    expect(sample(first, 'keyward_verify_duration_seconds_count')).toBe(7);
    expect(sample(first, 'keyward_verify_duration_seconds_sum')).toBeGreaterThan(0);
    const bounds = ['0.00005', '0.0001', '0.0002', '0.0005', '0.001', '0.002', '0.005', '0.01', '0.05', '0.25', '1', '+Inf'];
    expect([...first.keys()].filter((series) => series.startsWith('keyward_verify_duration_seconds_bucket{'))).toHaveLength(bounds.length);
    const cumulative = bounds.map((le) => sample(first, 'keyward_verify_duration_seconds_bucket', { le }));
    expect(cumulative.every((count, i) => i === 0 || count >= cumulative[i - 1])).toBe(true);
    expect(cumulative.at(-1)).toBe(7);
    const route = { method: 'POST', route: '/v1/verify' };
    expect(sample(first, 'http_request_duration_seconds_count', { ...route, status_code: '200' })).toBe(7);
    expect(sample(first, 'http_request_duration_seconds_count', { ...route, status_code: '401' })).toBe(1);
    expect(sample(first, 'http_request_duration_seconds_bucket', { ...route, status_code: '200', le: '+Inf' })).toBe(7);

    // A second scrape adds what came after the first, and nothing twice.
    expect(await codeOf({ key: plain })).toBe('VALID');
    expect(await codeOf({ key: plain })).toBe('VALID');
    const second = await scrape();
    expect(sample(second, 'keyward_verifications_total', { code: 'VALID' })).toBe(6);
    expect(sample(second, 'keyward_verifications_total', { code: 'MALFORMED' })).toBe(1);
    expect(sample(second, 'keyward_verify_cache_hits_total', { cache: 'keys' })).toBe(5);
    expect(sample(second, 'keyward_verify_duration_seconds_count')).toBe(9);
    expect(sample(second, 'http_request_duration_seconds_count', { ...route, status_code: '200' })).toBe(9);
    expect((await scrape()).get('keyward_verifications_total{code="VALID",service="verify"}')).toBe(6);
  });

  it('answers a key changed by PATCH with its new facts, not a remembered answer', async () => {
    const created = await client(admin.url, tenant.admin).post('/v1/keys', { name: 'memo', scopes: ['a'], meta: { plan: 'free' } });
    const verifyKey = () => client(verify.url, tenant.verifier).post('/v1/verify', { key: created.body.key });
    expect((await verifyKey()).body).toMatchObject({ code: 'VALID', scopes: ['a'], meta: { plan: 'free' } });
    expect((await verifyKey()).body).toMatchObject({ code: 'VALID', scopes: ['a'], meta: { plan: 'free' } });
    expect(
      (await client(admin.url, tenant.admin).patch(`/v1/keys/${created.body.id}`, { scopes: ['a', 'b'], meta: { plan: 'pro' } })).status,
    ).toBe(200);
    const started = Date.now();
    let body = (await verifyKey()).body;
    while (body.meta?.plan !== 'pro' && Date.now() - started < 1_000) body = (await verifyKey()).body;
    expect(body).toMatchObject({ code: 'VALID', scopes: ['a', 'b'], meta: { plan: 'pro' } });
    const answer = await verifyKey();
    expect(answer.body).toMatchObject({ code: 'VALID', scopes: ['a', 'b'], meta: { plan: 'pro' } });
    expect(Number(answer.headers.get('content-length'))).toBe(Buffer.byteLength(JSON.stringify(answer.body)));
  });
});
