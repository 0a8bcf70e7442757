// A rolling restart as an orchestrator runs one: two verify PROCESSES behind a balancer that
// routes only to processes whose /readyz answers 200 (as Kubernetes or a load balancer's health
// check does), a steady stream of verifies on kept-alive connections, and SIGTERM to one of them.
// Issue 8: on SIGTERM a process first reports not ready, goes on serving for SHUTDOWN_DRAIN_MS
// (closing each connection it answers on, so clients move), then stops accepting, finishes its
// in-flight requests and exits: not one request of the stream may fail.
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

/** POSTs `body` on `agent`'s connections; with `release`, half the body goes now and the rest when it settles. */
function post(url: string, token: string, body: unknown, agent: Agent | false, release?: Promise<void>): Promise<Omit<Outcome, 'backend' | 'sentAt'>> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve) => {
    const req = httpRequest(`${url}/v1/verify`, {
      method: 'POST',
      agent,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(payload.length) },
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
    if (!release) {
      req.end(payload);
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
      this.timer = setTimeout(look, READINESS_POLL_MS);
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

describe('rolling restart of the verify service', () => {
  let admin: RunningHttpApp;
  let tenant: TestTenant;
  let verifyA: SpawnedApp;
  let verifyB: SpawnedApp;

  beforeAll(async () => {
    const env = { SHUTDOWN_DRAIN_MS: String(DRAIN_MS), SHUTDOWN_GRACE_MS: String(GRACE_MS) };
    const started = await Promise.allSettled([
      startAdminApi().then((app) => (admin = app)),
      spawnApp({ app: 'verify', env }).then((app) => (verifyA = app)),
      spawnApp({ app: 'verify', env }).then((app) => (verifyB = app)),
    ]);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    tenant = await createTenant(admin.url);
  }, 60_000);

  afterAll(async () => {
    await stopSpawnedApps();
    await admin?.close();
  }, 30_000);

  it('loses no request of a steady stream when one of two verify processes gets SIGTERM', async () => {
    const created = await client(admin.url, tenant.admin).post('/v1/keys', { name: 'rolling' });
    expect(created.status).toBe(201);
    const body = { key: created.body.key };
    const balancer = new ReadinessBalancer([verifyA.url, verifyB.url]);
    balancer.start();
    try {
      // Both processes warm (the key and the credential cached), as in a running deployment.
      for (const url of [verifyA.url, verifyB.url]) expect((await post(url, tenant.verifier, body, false)).code).toBe('VALID');

      const outcomes: Outcome[] = [];
      let streaming = true;
      const stream = async () => {
        while (streaming) {
          const { url, agent } = balancer.pick();
          const sentAt = Date.now();
          outcomes.push({ backend: url, sentAt, ...(await post(url, tenant.verifier, body, agent)) });
        }
      };
      const clients = Array.from({ length: 12 }, stream);

      await sleep(1_000);
      // A request A has half read when its drain ends and its listener closes: in flight at close.
      let releaseInFlight!: () => void;
      const inFlight = post(verifyA.url, tenant.verifier, body, false, new Promise<void>((resolve) => (releaseInFlight = resolve)));
      await sleep(100);
      const signalledAt = Date.now();
      process.kill(verifyA.pid, 'SIGTERM');
      setTimeout(() => releaseInFlight(), DRAIN_MS + 200);
      const exit = await verifyA.exited;
      const exitedAt = Date.now();
      await sleep(500);
      streaming = false;
      await Promise.all(clients);
      const inFlightOutcome = await inFlight;

      const failed = outcomes.filter((outcome) => outcome.status !== 200 || outcome.code !== 'VALID');
      const fromA = outcomes.filter((outcome) => outcome.backend === verifyA.url);
      const afterSignal = fromA.filter((outcome) => outcome.sentAt >= signalledAt);
      const diagnostics = `A exit ${JSON.stringify(exit)}\n${verifyA.output().slice(-3_000)}`;

      // Not one failure among every request of the stream, and the stream was real on both sides.
      expect({ failed: failed.slice(0, 5), count: failed.length }).toEqual({ failed: [], count: 0 });
      expect(outcomes.length).toBeGreaterThan(500);
      expect(outcomes.filter((outcome) => outcome.backend === verifyB.url && outcome.sentAt > exitedAt).length).toBeGreaterThan(0);
      // A went on serving while it reported not ready, closing each connection it answered on.
      // (A request sent just after the signal may be answered before the process has handled it.)
      const duringDrain = afterSignal.filter((outcome) => outcome.connection === 'close');
      expect(duringDrain.length).toBeGreaterThan(0);
      expect(afterSignal.filter((outcome) => outcome.sentAt > signalledAt + 100 && outcome.connection !== 'close')).toEqual([]);
      expect(balancer.notReadySince.get(verifyA.url)! - signalledAt).toBeLessThan(DRAIN_MS);
      // The request in flight when the listener closed was answered in full, then A exited, drained.
      expect(inFlightOutcome).toMatchObject({ status: 200, code: 'VALID', connection: 'close' });
      expect(exitedAt - signalledAt).toBeGreaterThanOrEqual(DRAIN_MS);
      expect(exitedAt - signalledAt).toBeLessThan(GRACE_MS);
      expect([0, null]).toContain(exit.code);
      if (exit.code === null) expect(exit.signal).toBe('SIGTERM');
      expect(isAlive(verifyB.pid)).toBe(true);
      if (failed.length > 0) throw new Error(diagnostics);
    } finally {
      balancer.stop();
    }
  }, 30_000);
});
