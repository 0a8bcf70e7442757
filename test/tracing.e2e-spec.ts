// docs/operations.md, Tracing (issue 19): with the OTEL_* variables set, the services export their
// spans over OTLP/HTTP, here to a collector of the test's own. A change made through the admin API
// is one trace across processes: the request, the worker's run of the job it enqueued, and the
// worker's delivery of the webhook it announced, whose POST carries the trace on in `traceparent`.
// The verify service records spans only for the requests its sampler keeps: one SERVER span per
// such request on its hot routes, made by hand (no instrumentation runs in that process).
import { randomBytes } from 'node:crypto';
import { createTenant, type TestTenant } from './support/builders';
import { useOwnDatabase } from './support/database';
import { client, request } from './support/http-client';
import { jobResult, onDemandJobsEnv } from './support/jobs';
import { createKey } from './support/key-builders';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { spawnApp, stopSpawnedApps, type SpawnedApp } from './support/spawn-app';
import { TEST_PLATFORM_TOKEN } from './support/test-config';
import { Receiver } from './support/webhook-receiver';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it answers something truthy; fails naming `what` after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => T | false | null | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A caller's trace: a W3C traceparent of a fresh trace id and span id, sampled or not. */
function callerTrace(sampled = true): { traceId: string; spanId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-${sampled ? '01' : '00'}` };
}

const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

describe('tracing across processes', () => {
  const collector = new OtlpReceiver();
  const receiver = new Receiver();
  let admin: SpawnedApp;
  let verify: SpawnedApp;
  let tenant: TestTenant;
  let dropOwnDatabase: () => Promise<void>;
  let env: Record<string, string>;

  /** The spans of the trace once `ready` holds of them. */
  const traceOnce = (traceId: string, what: string, ready: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> =>
    waitFor(what, () => {
      const spans = collector.inTrace(traceId);
      return ready(spans) && spans;
    });

  beforeAll(async () => {
    // The worker's passes go over every tenant: a database of this file's own, and its own queues.
    dropOwnDatabase = await useOwnDatabase();
    await Promise.all([collector.start(), receiver.start()]);
    env = {
      ...onDemandJobsEnv('tracing'),
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Spans leave a tenth of a second after they end, not 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    [admin, , verify] = await Promise.all([
      spawnApp({ app: 'admin-api', env }),
      spawnApp({ app: 'worker', env }),
      // The bench's setting, at its extreme: a trace the caller did not sample, or starts here, is never kept.
      spawnApp({ app: 'verify', env: { ...env, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' } }),
    ]);
    tenant = await createTenant(admin.url);
  }, 120_000);

  afterAll(async () => {
    await stopSpawnedApps();
    await Promise.all([collector.close(), receiver.close()]);
    await dropOwnDatabase?.();
  }, 60_000);

  it('follows a key revocation from the admin API into the webhook delivery, whose POST carries the trace', async () => {
    const path = receiver.path();
    const subscribed = await client(admin.url, tenant.admin).post('/v1/webhooks', { url: receiver.url(path), events: ['key.revoked'] });
    expect(subscribed.status).toBe(201);
    const key = await createKey(admin.url, tenant.admin);
    const caller = callerTrace();

    const revoked = await client(admin.url, tenant.admin).post(
      `/v1/keys/${key.id}/revoke`,
      { reason: 'leaked' },
      { headers: { traceparent: caller.header } },
    );
    expect(revoked.status).toBe(200);

    const [delivered] = await waitFor('the webhook delivery', () => receiver.at(path).length > 0 && receiver.at(path));
    const sent = String(delivered.headers.traceparent);
    expect(sent).toMatch(new RegExp(`^00-${caller.traceId}-[0-9a-f]{16}-01$`));
    const postSpanId = sent.split('-')[2];

    const spans = await traceOnce(caller.traceId, 'the delivery spans', (all) => all.some((span) => span.spanId === postSpanId));
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    // The admin API's request continues the caller's trace ...
    const request = spans.find((span) => span.service === 'keyward-admin-api' && span.kind === SERVER);
    expect(request).toMatchObject({ parentSpanId: caller.spanId });
    // ... the worker's delivery is the child of one of its spans ...
    const delivery = spans.find((span) => span.service === 'keyward-worker' && span.name === 'webhook delivery');
    expect(delivery).toBeDefined();
    expect(delivery!.attributes).toMatchObject({ 'keyward.tenant_id': tenant.id, 'keyward.attempt': expect.anything() });
    expect(byId.get(delivery!.parentSpanId)?.service).toBe('keyward-admin-api');
    // ... and the POST the receiver got is the delivery's child, the span its traceparent names.
    expect(byId.get(postSpanId)).toMatchObject({ service: 'keyward-worker', kind: CLIENT, parentSpanId: delivery!.spanId });
  });

  it('makes the worker’s run of a run-now the child of the request that asked for it', async () => {
    const caller = callerTrace();
    const started = await client(admin.url, TEST_PLATFORM_TOKEN).post('/v1/jobs/expiry/run', undefined, {
      headers: { traceparent: caller.header },
    });
    expect(started.status).toBe(202);
    await jobResult(admin.url, started.body.jobId);

    const spans = await traceOnce(caller.traceId, 'the job span', (all) =>
      all.some((span) => span.service === 'keyward-worker' && span.name === 'job expiry'),
    );
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const run = spans.find((span) => span.service === 'keyward-worker' && span.name === 'job expiry')!;
    expect(run).toMatchObject({ kind: CONSUMER, attributes: { 'messaging.message.id': started.body.jobId } });
    expect(byId.get(run.parentSpanId)?.service).toBe('keyward-admin-api');
    // What the run asked of PostgreSQL is part of the trace too.
    const underRun = (span: ReceivedSpan): boolean =>
      span.parentSpanId === run.spanId || (byId.has(span.parentSpanId) && underRun(byId.get(span.parentSpanId)!));
    await traceOnce(caller.traceId, 'the run’s queries', (all) =>
      all.some(
        (span) =>
          span.service === 'keyward-worker' &&
          /postgres/.test(String(span.attributes['db.system'] ?? span.attributes['db.system.name'] ?? '')) &&
          underRun(span),
      ),
    );
  });

  it('sends the spans not yet exported when a service stops gracefully', async () => {
    // Exports a minute apart: only the stop can send this request's spans in time.
    const lingering = await spawnApp({ app: 'admin-api', env: { ...env, OTEL_BSP_SCHEDULE_DELAY: '60000' } });
    const caller = callerTrace();
    const listed = await client(lingering.url, TEST_PLATFORM_TOKEN).get('/v1/tenants', { headers: { traceparent: caller.header } });
    expect(listed.status).toBe(200);
    await sleep(500);
    expect(collector.inTrace(caller.traceId)).toEqual([]);

    // Nest's shutdown hooks end the process with the signal it got, once every hook has run: not killed past a deadline.
    expect(await lingering.stop('SIGTERM', 15_000)).toEqual({ code: null, signal: 'SIGTERM' });
    expect(collector.inTrace(caller.traceId)).toEqual(
      expect.arrayContaining([expect.objectContaining({ service: 'keyward-admin-api', kind: SERVER, parentSpanId: caller.spanId })]),
    );
  }, 60_000);

  it('records the verify service’s spans for sampled requests only', async () => {
    const { key } = await createKey(admin.url, tenant.admin);
    const sampled = callerTrace(true);
    const unsampled = callerTrace(false);
    const verifier = client(verify.url, tenant.verifier);
    for (const headers of [{ traceparent: sampled.header }, { traceparent: unsampled.header }, {}] as Array<Record<string, string>>) {
      const answer = await verifier.post('/v1/verify', { key }, { headers });
      expect(answer.status).toBe(200);
      expect(answer.body.valid).toBe(true);
    }

    const spans = await traceOnce(sampled.traceId, 'the sampled verification', (all) =>
      all.some((span) => span.service === 'keyward-verify' && span.kind === SERVER),
    );
    // One span, the hand-made one: no instrumentation adds its own.
    expect(spans.filter((span) => span.service === 'keyward-verify')).toEqual([
      expect.objectContaining({
        name: 'POST /v1/verify',
        kind: SERVER,
        parentSpanId: sampled.spanId,
        attributes: {
          'http.request.method': 'POST',
          'http.route': '/v1/verify',
          'url.path': '/v1/verify',
          'http.response.status_code': 200,
          'keyward.verify.code': 'VALID',
        },
      }),
    ]);
    // Spans leave in batches a tenth of a second apart: had the others been recorded, they would be here.
    await sleep(1_000);
    expect(
      collector.spans.filter(
        (span) => span.service === 'keyward-verify' && span.attributes['url.path'] === '/v1/verify' && span.traceId !== sampled.traceId,
      ),
    ).toEqual([]);
    expect(collector.refused).toEqual([]);
  });

  it('records /v1/forward-auth’s spans for sampled requests only, refusals included', async () => {
    const { key } = await createKey(admin.url, tenant.admin);
    const forwardAuth = (bearer: string, traceparent: string, verifier: Record<string, string> = { 'keyward-verifier': tenant.verifier }) =>
      request(verify.url, 'GET', '/v1/forward-auth', { headers: { ...verifier, authorization: `Bearer ${bearer}`, traceparent } });
    const valid = callerTrace(true);
    const refused = callerTrace(true);
    const failed = callerTrace(true);
    const unsampled = callerTrace(false);
    expect((await forwardAuth(key, valid.header)).status).toBe(200);
    const unknownKey = `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`;
    expect((await forwardAuth(unknownKey, refused.header)).status).toBe(401);
    // A gateway that sends no credential of its own gets a problem, 502 (docs/gateways.md).
    expect((await forwardAuth(key, failed.header, {})).status).toBe(502);
    expect((await forwardAuth(key, unsampled.header)).status).toBe(200);

    const [answered] = await traceOnce(valid.traceId, 'the sampled forward auth', (all) => all.length > 0);
    expect(answered).toMatchObject({
      service: 'keyward-verify',
      statusCode: 0,
      name: 'GET /v1/forward-auth',
      kind: SERVER,
      parentSpanId: valid.spanId,
      attributes: {
        'http.request.method': 'GET',
        'url.path': '/v1/forward-auth',
        'http.response.status_code': 200,
        'keyward.verify.code': 'VALID',
      },
    });
    const [refusal] = await traceOnce(refused.traceId, 'the sampled refusal', (all) => all.length > 0);
    expect(refusal).toMatchObject({
      name: 'GET /v1/forward-auth',
      parentSpanId: refused.spanId,
      attributes: { 'http.response.status_code': 401, 'keyward.verify.code': expect.stringMatching(/^(NOT_FOUND|MALFORMED)$/) },
      statusCode: 0,
    });
    // A 5xx is an error span, with no verify code.
    const [problem] = await traceOnce(failed.traceId, 'the sampled 502', (all) => all.length > 0);
    expect(problem).toMatchObject({
      parentSpanId: failed.spanId,
      attributes: { 'http.response.status_code': 502, 'error.type': '502' },
      statusCode: 2,
    });
    expect(problem.attributes).not.toHaveProperty('keyward.verify.code');
    await sleep(1_000);
    expect(collector.inTrace(unsampled.traceId)).toEqual([]);
  });

  it('starts a trace of its own for a request traceidratio keeps, and ends the span of a problem too', async () => {
    // The root decision alone, at ratio 1: every request is sampled, whatever its caller decided.
    const service = 'keyward-verify-traceidratio';
    const always = await spawnApp({
      app: 'verify',
      env: { ...env, OTEL_SERVICE_NAME: service, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' },
    });
    const ownSpans = () => collector.spans.filter((span) => span.service === service);
    const { key } = await createKey(admin.url, tenant.admin);
    const unsampled = callerTrace(false);

    expect((await client(always.url, tenant.verifier).post('/v1/verify', { key })).status).toBe(200);
    const [root] = await waitFor('the root span', () => ownSpans().length > 0 && ownSpans());
    expect(root).toMatchObject({
      name: 'POST /v1/verify',
      kind: SERVER,
      parentSpanId: '',
      attributes: { 'http.response.status_code': 200, 'keyward.verify.code': 'VALID' },
    });
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);

    // A caller that did not sample its trace: still one, the child of the caller's span.
    const answered = await client(always.url, tenant.verifier).post('/v1/verify', { key }, { headers: { traceparent: unsampled.header } });
    expect(answered.status).toBe(200);
    const [child] = await traceOnce(unsampled.traceId, 'the span under an unsampled caller', (all) => all.length > 0);
    expect(child).toMatchObject({ service, parentSpanId: unsampled.spanId, attributes: { 'keyward.verify.code': 'VALID' } });

    // A problem (a verifier token that is none) ends its span with its status and no verify code.
    const problem = callerTrace(true);
    const refused = await client(always.url, 'not-a-token').post('/v1/verify', { key }, { headers: { traceparent: problem.header } });
    expect(refused.status).toBe(401);
    const [failed] = await traceOnce(problem.traceId, 'the problem’s span', (all) => all.length > 0);
    expect(failed).toMatchObject({ service, name: 'POST /v1/verify', attributes: { 'http.response.status_code': 401 } });
    expect(failed.attributes).not.toHaveProperty('keyward.verify.code');
    // Probes are never traced.
    expect((await request(always.url, 'GET', '/readyz')).status).toBe(200);
    await sleep(1_000);
    expect(ownSpans().map((span) => span.attributes['url.path'])).toEqual(['/v1/verify', '/v1/verify', '/v1/verify']);
    expect(collector.refused).toEqual([]);
  }, 60_000);
});
