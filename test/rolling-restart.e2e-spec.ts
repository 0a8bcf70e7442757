// A rolling restart as an orchestrator runs one: two PROCESSES of a service (verify, then the admin
// API) behind a balancer that routes only to processes whose /readyz answers 200 (as Kubernetes or
// a load balancer's health check does), a steady stream of requests on kept-alive connections, and
// SIGTERM to one of them. Issue 8: on SIGTERM a process first reports not ready, goes on serving
// for SHUTDOWN_DRAIN_MS (closing each connection it answers on, so clients move), then stops
// accepting, finishes its in-flight requests and exits: not one request of the stream may fail.
import { Agent, request as httpRequest } from 'node:http';
import { createTenant, type TestTenant } from './support/builders';
import { client } from './support/http-client';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';
import { isAlive, spawnApp, stopSpawnedApps, type SpawnedApp } from './support/spawn-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const DRAIN_MS = 1_500;
const GRACE_MS = 8_000;
/** How often the balancer looks at /readyz: well inside the drain, as a real one must be. */
const READINESS_POLL_MS = 100;

interface Outcome {
  backend: string;
  sentAt: number;
  status?: number;
  code?: string;
  connection?: string;
  error?: string;
}

/** What the stream sends: the service's own request, and whether an answer to it is a success. */
interface Call {
  method: 'GET' | 'POST';
  path: string;
  token: string;
  body?: unknown;
  succeeded(outcome: Omit<Outcome, 'backend' | 'sentAt'>): boolean;
}

/** Sends `call` on `agent`'s connections; with `release`, half the body goes now and the rest when it settles. */
function send(url: string, call: Call, agent: Agent | false, release?: Promise<void>): Promise<Omit<Outcome, 'backend' | 'sentAt'>> {
  const payload = call.body === undefined ? null : Buffer.from(JSON.stringify(call.body));
  return new Promise((resolve) => {
    const req = httpRequest(`${url}${call.path}`, {
      method: call.method,
      agent,
      headers: {
        authorization: `Bearer ${call.token}`,
        ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
      },
    });
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ status: response.statusCode, error: error.code ?? error.message }));
      response.on('end', () => {
        let code: string | undefined;
        try {
          code = JSON.parse(Buffer.concat(chunks).toString('utf8')).code;
        } catch {
          code = undefined;
        }
        resolve({ status: response.statusCode, code, connection: response.headers.connection });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    if (!release || !payload) {
      req.end(payload ?? undefined);
      return;
    }
    req.write(payload.subarray(0, payload.length >> 1));
    void release.then(() => req.end(payload.subarray(payload.length >> 1)));
  });
}

/** Routes round-robin over the backends whose /readyz answered 200 at its last look. */
class ReadinessBalancer {
  private readonly ready = new Map<string, boolean>();
  private readonly agents = new Map<string, Agent>();
  private timer?: NodeJS.Timeout;
  private turn = 0;
  /** When each backend was first seen not ready. */
  readonly notReadySince = new Map<string, number>();

  constructor(private readonly backends: string[]) {
    for (const url of backends) {
      this.ready.set(url, true);
      this.agents.set(url, new Agent({ keepAlive: true, maxSockets: 8 }));
    }
  }

  start(): void {
    const look = async () => {
      await Promise.all(
        this.backends.map(async (url) => {
          let ready = false;
          try {
            ready = (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(READINESS_POLL_MS * 5) })).status === 200;
          } catch {
            ready = false;
          }
          this.ready.set(url, ready);
          if (!ready && !this.notReadySince.has(url)) this.notReadySince.set(url, Date.now());
        }),
      );
      this.timer = setTimeout(() => void look(), READINESS_POLL_MS);
    };
    void look();
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const agent of this.agents.values()) agent.destroy();
  }

  pick(): { url: string; agent: Agent } {
    const ready = this.backends.filter((url) => this.ready.get(url));
    if (ready.length === 0) throw new Error('no backend is ready');
    const url = ready[this.turn++ % ready.length];
    return { url, agent: this.agents.get(url)! };
  }
}

/** The services a rolling restart is tested on: what each is sent, and the setting that makes them drain. */
const SERVICES = [
  {
    app: 'verify' as const,
    /** Verifies of one key (cached on both processes first, as in a running deployment). */
    stream: (tenant: TestTenant, key: string): Call => ({
      method: 'POST',
      path: '/v1/verify',
      token: tenant.verifier,
      body: { key },
      succeeded: (o) => o.status === 200 && o.code === 'VALID',
    }),
    /** The request in flight at close: a verify whose body is half sent. */
    inFlight: (tenant: TestTenant, key: string): Call => ({
      method: 'POST',
      path: '/v1/verify',
      token: tenant.verifier,
      body: { key },
      succeeded: (o) => o.status === 200 && o.code === 'VALID',
    }),
  },
  {
    app: 'admin-api' as const,
    stream: (tenant: TestTenant): Call => ({
      method: 'GET',
      path: '/v1/keys?limit=5',
      token: tenant.admin,
      succeeded: (o) => o.status === 200,
    }),
    inFlight: (tenant: TestTenant): Call => ({
      method: 'POST',
      path: '/v1/keys',
      token: tenant.admin,
      body: { name: 'in-flight at close' },
      succeeded: (o) => o.status === 201,
    }),
  },
];

describe.each(SERVICES)('rolling restart of $app', ({ app, stream, inFlight }) => {
  let admin: RunningHttpApp;
  let tenant: TestTenant;
  let serviceA: SpawnedApp;
  let serviceB: SpawnedApp;

  beforeAll(async () => {
    const env = { SHUTDOWN_DRAIN_MS: String(DRAIN_MS), SHUTDOWN_GRACE_MS: String(GRACE_MS) };
    const started = await Promise.allSettled([
      startAdminApi().then((running) => (admin = running)),
      spawnApp({ app, env }).then((spawned) => (serviceA = spawned)),
      spawnApp({ app, env }).then((spawned) => (serviceB = spawned)),
    ]);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    tenant = await createTenant(admin.url);
  }, 60_000);

  afterAll(async () => {
    await stopSpawnedApps();
    await admin?.close();
  }, 30_000);

  it(`loses no request of a steady stream when one of two ${app} processes gets SIGTERM`, async () => {
    const created = await client(admin.url, tenant.admin).post('/v1/keys', { name: 'rolling' });
    expect(created.status).toBe(201);
    const call = stream(tenant, created.body.key);
    const balancer = new ReadinessBalancer([serviceA.url, serviceB.url]);
    balancer.start();
    try {
      // Both processes warm, as in a running deployment.
      for (const url of [serviceA.url, serviceB.url]) expect(call.succeeded(await send(url, call, false))).toBe(true);

      const outcomes: Outcome[] = [];
      let streaming = true;
      const streamer = async () => {
        while (streaming) {
          const { url, agent } = balancer.pick();
          const sentAt = Date.now();
          outcomes.push({ backend: url, sentAt, ...(await send(url, call, agent)) });
        }
      };
      const clients = Array.from({ length: 12 }, streamer);

      await sleep(1_000);
      // A request A has half read when its drain ends and its listener closes: in flight at close.
      let releaseInFlight!: () => void;
      const held = inFlight(tenant, created.body.key);
      const inFlightOutcome = send(serviceA.url, held, false, new Promise<void>((resolve) => (releaseInFlight = resolve)));
      await sleep(100);
      const signalledAt = Date.now();
      process.kill(serviceA.pid, 'SIGTERM');
      setTimeout(() => releaseInFlight(), DRAIN_MS + 200);
      const exit = await serviceA.exited;
      const exitedAt = Date.now();
      await sleep(500);
      streaming = false;
      await Promise.all(clients);

      const failed = outcomes.filter((outcome) => !call.succeeded(outcome));
      const afterSignal = outcomes.filter((outcome) => outcome.backend === serviceA.url && outcome.sentAt >= signalledAt);
      const diagnostics = `A exit ${JSON.stringify(exit)}\n${serviceA.output().slice(-3_000)}`;

      // Not one failure among every request of the stream, and the stream was real on both sides.
      expect({ failed: failed.slice(0, 5), count: failed.length }).toEqual({ failed: [], count: 0 });
      expect(outcomes.length).toBeGreaterThan(200);
      expect(outcomes.filter((outcome) => outcome.backend === serviceB.url && outcome.sentAt > exitedAt).length).toBeGreaterThan(0);
      // A went on serving while it reported not ready, closing each connection it answered on.
      // (A request sent just after the signal may be answered before the process has handled it.)
      const duringDrain = afterSignal.filter((outcome) => outcome.connection === 'close');
      expect(duringDrain.length).toBeGreaterThan(0);
      expect(afterSignal.filter((outcome) => outcome.sentAt > signalledAt + 100 && outcome.connection !== 'close')).toEqual([]);
      expect(balancer.notReadySince.get(serviceA.url)! - signalledAt).toBeLessThan(DRAIN_MS);
      // The request in flight when the listener closed was answered in full, then A exited, drained.
      const heldOutcome = await inFlightOutcome;
      expect(held.succeeded(heldOutcome)).toBe(true);
      expect(heldOutcome.connection).toBe('close');
      expect(exitedAt - signalledAt).toBeGreaterThanOrEqual(DRAIN_MS);
      expect(exitedAt - signalledAt).toBeLessThan(GRACE_MS);
      expect([0, null]).toContain(exit.code);
      if (exit.code === null) expect(exit.signal).toBe('SIGTERM');
      expect(isAlive(serviceB.pid)).toBe(true);
      if (failed.length > 0) throw new Error(diagnostics);
    } finally {
      balancer.stop();
    }
  }, 30_000);
});
