// Verify as it runs in production: separate PROCESSES started by the test from the TypeScript
// sources (support/spawn-app.ts), each with its own caches, Redis connections and PostgreSQL pool,
// next to an in-process admin API of the same run (same database, Redis prefix and secrets).
// docs/api.md, Verify: limits and credits are exact across every verify process; a change made through
// the admin API is in force on every verify process within 1 second; VERIFY_WORKERS runs several
// processes on one port with no change in any answer, and stops gracefully. The first three
// scenarios are shared with the scale suites (support/scale-scenarios.ts, test/scale/).
import { KeyCounters } from '@keyward/keys';
import { createRedisConnection } from '@keyward/platform';
import { Agent, request as httpRequest } from 'node:http';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createTenant, type TestTenant } from './support/builders';
import { createKey } from './support/key-builders';
import {
  ownerLimitIsSharedExactly,
  retriedVerificationIsChargedOnce,
  severalLimitsAndCreditsAreExact,
  slidingLimitIsExact,
} from './support/key-model-scenarios';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';
import {
  changesReachEveryProcessWithinASecond,
  creditsAreExactAcrossProcesses,
  limitIsExactAcrossProcesses,
  storedRemaining,
  tally,
  verifyOn,
  withOutputOf,
  type VerifyFleet,
} from './support/scale-scenarios';
import { descendantPids, isAlive, spawnApp, stopSpawnedApps, type SpawnedApp } from './support/spawn-app';
import { testConfig } from './support/test-config';
import { parseSamples, total } from '../bench/support/prometheus-text';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The outcome of one POST: a status and body, or an error and whether any of the response had come. */
interface RawOutcome {
  status?: number;
  body?: any;
  /** The response's Connection header. */
  connection?: string;
  error?: string;
  responseStarted: boolean;
  /** Whether the request went out on a kept-alive connection that had served a request before. */
  reusedSocket: boolean;
  sentAt: number;
}

/**
 * POST with node:http, on a new connection unless `agent` keeps connections alive: what a request
 * meets during a shutdown is then known exactly (refused, reset before or during the answer). With
 * `holdBody`, the headers and half of the body go out at once and the rest when `holdBody` settles:
 * a request in flight meanwhile.
 */
function rawPost(
  baseUrl: string,
  path: string,
  token: string,
  payload: unknown,
  options: { agent?: Agent; holdBody?: Promise<void> } = {},
): Promise<RawOutcome> {
  const body = Buffer.from(JSON.stringify(payload));
  const sentAt = Date.now();
  return new Promise((resolve) => {
    let responseStarted = false;
    let settled = false;
    const req = httpRequest(`${baseUrl}${path}`, {
      method: 'POST',
      agent: options.agent ?? false,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(body.length) },
    });
    const finish = (outcome: Omit<RawOutcome, 'responseStarted' | 'sentAt' | 'reusedSocket'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...outcome, responseStarted, reusedSocket: req.reusedSocket, sentAt });
    };
    req.on('response', (response) => {
      responseStarted = true;
      const chunks: Buffer[] = [];
      const connection = response.headers.connection;
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('aborted', () => finish({ status: response.statusCode, connection, error: 'aborted mid-response' }));
      response.on('error', (error: NodeJS.ErrnoException) =>
        finish({ status: response.statusCode, connection, error: error.code ?? error.message }),
      );
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // keep the text
        }
        finish({ status: response.statusCode, connection, body: parsed });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
    const { holdBody } = options;
    if (!holdBody) {
      req.end(body);
      return;
    }
    const half = Math.floor(body.length / 2);
    req.write(body.subarray(0, half));
    void holdBody.then(() => req.end(body.subarray(half)));
  });
}

/** One GET on a new connection: the text of the answer. */
function getOnNewConnection(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** How many sockets process `pid` holds open (its listening socket and the connections it accepted). */
function socketCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  } catch {
    return 0;
  }
}

/**
 * Until both workers under `primaryPid` take connections on `url`: it opens kept-alive connections
 * (node:cluster's primary hands new connections to its workers in turn) and looks at each worker's
 * open sockets in /proc, which grow only in the worker that accepted one.
 */
async function untilBothWorkersAcceptConnections(url: string, primaryPid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const workers = descendantPids(primaryPid);
    if (workers.length === 2) {
      const before = workers.map(socketCount);
      const agent = new Agent({ keepAlive: true, maxSockets: 6 });
      try {
        await Promise.all(Array.from({ length: 6 }, () => fetchWith(agent, `${url}/healthz`)));
        const after = workers.map(socketCount);
        if (after.every((count, i) => count > before[i])) return;
        last = `sockets ${before.join('/')} -> ${after.join('/')}`;
      } finally {
        agent.destroy();
      }
    } else last = `${workers.length} workers`;
    await sleep(100);
  }
  throw new Error(`${url}: the two workers did not both take connections within ${timeoutMs} ms (${last})`);
}

/** A GET on one of `agent`'s kept-alive connections, answered in full. */
function fetchWith(agent: Agent, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent }, (response) => {
      response.resume();
      response.on('end', resolve);
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

describe('verify in processes of its own', () => {
  let admin: RunningHttpApp;
  let verifyA: SpawnedApp;
  let verifyB: SpawnedApp;
  /** VERIFY_WORKERS=2: a node:cluster primary and two verify workers on one port. */
  let clustered: SpawnedApp;
  let tenant: TestTenant;
  const SHUTDOWN_GRACE_MS = 5_000;

  beforeAll(async () => {
    // Each is kept as soon as it runs, and all are waited for, so that afterAll stops whatever
    // started even when another failed.
    const started = await Promise.allSettled([
      startAdminApi().then((app) => (admin = app)),
      spawnApp({ app: 'verify' }).then((app) => (verifyA = app)),
      spawnApp({ app: 'verify' }).then((app) => (verifyB = app)),
      spawnApp({ app: 'verify', env: { VERIFY_WORKERS: '2', SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS) } }).then(
        (app) => (clustered = app),
      ),
    ]);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    tenant = await createTenant(admin.url);
  }, 60_000);

  afterAll(async () => {
    // Every spawned process, by its own PID (and its workers' PIDs), whatever happened above.
    await stopSpawnedApps();
    await admin?.close();
  }, 30_000);

  const fleet = (): VerifyFleet => ({ adminUrl: admin.url, verifiers: [verifyA, verifyB] });
  const createOwnKey = (body: Record<string, unknown>): Promise<{ id: string; key: string }> => createKey(admin.url, tenant.admin, body);
  const verify = (service: { url: string }, body: Record<string, unknown>) => verifyOn(service, tenant.verifier, body);
  /** The key's credit balance as the verify processes share it, in Redis (one server or a cluster). */
  const sharedBalance = async (id: string): Promise<number> => {
    const config = testConfig();
    const redis = createRedisConnection(config.redis, 'keyward-test', { patient: true });
    try {
      return Number((await new KeyCounters(redis, config).readCredits(id, { kind: 'key', id }))?.balance);
    } finally {
      redis.disconnect();
    }
  };

  /** Fails with the processes' output, which is what one needs when a spawned service misbehaves. */
  const withDiagnostics = (work: () => Promise<void>) => withOutputOf([verifyA, verifyB, clustered], work);

  it('runs each verify service as a process of its own', () => {
    expect(new Set([process.pid, verifyA.pid, verifyB.pid, clustered.pid]).size).toBe(4);
    expect(new Set([verifyA.url, verifyB.url, clustered.url]).size).toBe(3);
    for (const spawned of [verifyA, verifyB, clustered]) expect(isAlive(spawned.pid)).toBe(true);
  });

  it('lets exactly the limit through a window across two processes', () => withDiagnostics(() => limitIsExactAcrossProcesses(fleet())));

  it('spends credits exactly across two processes, never below zero, and writes the balance back', () =>
    withDiagnostics(() => creditsAreExactAcrossProcesses(fleet())));

  it('puts revoke, disable, a patch of scopes and tenant suspension in force on both processes within a second', () =>
    withDiagnostics(() => changesReachEveryProcessWithinASecond(fleet())));

  it("shares an owner's limit exactly among its keys across two processes", () =>
    withDiagnostics(() => ownerLimitIsSharedExactly(fleet())));

  it('keeps several limits and credits exact together, and a refused verification charges nothing', () =>
    withDiagnostics(() => severalLimitsAndCreditsAreExact(fleet())));

  it('keeps a sliding limit exact under load', () => withDiagnostics(() => slidingLimitIsExact(fleet())), 20_000);

  it('charges a retried verification once, across processes', () => withDiagnostics(() => retriedVerificationIsChargedOnce(fleet())));

  describe('with VERIFY_WORKERS=2', () => {
    it('runs a primary and two worker processes, all from the verify main', () =>
      withDiagnostics(async () => {
        await untilBothWorkersAcceptConnections(clustered.url, clustered.pid, 15_000);
        const workers = descendantPids(clustered.pid);
        expect(workers).toHaveLength(2);
        for (const pid of [clustered.pid, ...workers]) {
          expect(isAlive(pid)).toBe(true);
          expect(commandLine(pid)).toContain('apps/verify/src/main.ts');
        }
      }));

    it('spends credits exactly across its workers', () =>
      withDiagnostics(async () => {
        const { id, key } = await createOwnKey({ remaining: 30 });
        // 200 at once open many connections, which the primary hands to both workers in turn (the
        // test above sees each worker take connections).
        const answers = await Promise.all(Array.from({ length: 200 }, () => verify(clustered, { key })));

        expect(tally(answers)).toEqual({ notOk: [], codes: { VALID: 30, USAGE_EXCEEDED: 170 } });
        expect(Math.min(...answers.map((answer) => answer.body.remaining))).toBe(0);
        // /metrics answers for the whole service, whichever worker a scrape lands on (the primary
        // sums both workers' registries): every scrape, on a new connection each, counts all 200.
        const scrapes: number[] = [];
        for (let scrape = 0; scrape < 6; scrape++)
          scrapes.push(total(parseSamples(await getOnNewConnection(`${clustered.url}/metrics`)), 'keyward_verifications_total'));
        expect(scrapes).toEqual([200, 200, 200, 200, 200, 200]);
        expect(await storedRemaining(admin.url, tenant.admin, id, 0)).toBe(0);
      }));

    it('stops all three processes on SIGTERM within the grace period, answering every request it read, on new and on kept-alive connections', () =>
      withDiagnostics(async () => {
        const CREDITS = 100_000;
        const { id, key } = await createOwnKey({ remaining: CREDITS });
        const workers = descendantPids(clustered.pid);
        expect(workers).toHaveLength(2);
        const post = (options?: { agent?: Agent; holdBody?: Promise<void> }) =>
          rawPost(clustered.url, '/v1/verify', tenant.verifier, { key }, options);
        // Warm both workers' caches (new connections go to the workers in turn).
        const warmups: RawOutcome[] = [];
        for (let i = 0; i < 4; i++) warmups.push(await post());
        expect(warmups.map((outcome) => outcome.body?.code)).toEqual(Array(4).fill('VALID'));

        // Requests in flight at the moment of SIGTERM: headers and half a body sent, the rest after it.
        let releaseBodies!: () => void;
        const bodiesReleased = new Promise<void>((resolve) => (releaseBodies = resolve));
        const held = Array.from({ length: 4 }, () => post({ holdBody: bodiesReleased }));
        // The same on kept-alive connections that served a request before: their answers must close
        // them, or a client that keeps its connection (as pools do) holds the process up.
        const heldAgents = [new Agent({ keepAlive: true, maxSockets: 1 }), new Agent({ keepAlive: true, maxSockets: 1 })];
        for (const agent of heldAgents) warmups.push(await post({ agent }));
        const heldKeptAlive = heldAgents.map((agent) => post({ agent, holdBody: bodiesReleased }));

        // Downstream services as they are: four clients, each sending one request after another on a
        // kept-alive connection, until the port is closed.
        let sigtermAt = 0;
        const agents = Array.from({ length: 4 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
        const keptAlive: RawOutcome[] = [];
        const loopsEnd = Date.now() + 15_000;
        const loops = agents.map(async (agent) => {
          for (;;) {
            const outcome = await post({ agent });
            keptAlive.push(outcome);
            if (outcome.error === 'ECONNREFUSED' || Date.now() > loopsEnd) return;
          }
        });
        await sleep(200);

        // A stream of verifies on new connections, one every 4 ms; SIGTERM to the primary in the middle.
        const stream: Promise<RawOutcome>[] = [];
        for (let i = 0; i < 100; i++) {
          if (i === 40) {
            sigtermAt = Date.now();
            process.kill(clustered.pid, 'SIGTERM');
          }
          stream.push(post());
          await sleep(4);
        }
        await sleep(Math.max(0, sigtermAt + 150 - Date.now()));
        releaseBodies();

        const outcomes = await Promise.all(stream);
        const heldOutcomes = await Promise.all([...held, ...heldKeptAlive]);
        const exit = await clustered.exited;
        for (let waited = 0; [clustered.pid, ...workers].some(isAlive) && waited < SHUTDOWN_GRACE_MS; waited += 10) await sleep(10);
        const allStoppedWithin = Date.now() - sigtermAt;
        await Promise.all(loops);
        for (const agent of [...agents, ...heldAgents]) agent.destroy();

        const show = (outcome: RawOutcome) =>
          `${outcome.sentAt - sigtermAt}ms:${outcome.status ?? ''}${outcome.body?.code ? `/${outcome.body.code}` : ''}${outcome.connection === 'close' ? '/close' : ''}` +
          `${outcome.error ? `!${outcome.error}${outcome.responseStarted ? '(mid-response)' : ''}${outcome.reusedSocket ? '(reused)' : ''}` : ''}`;
        const afterSigterm = keptAlive.filter((outcome) => outcome.sentAt >= sigtermAt - 5);
        const context = {
          exit,
          allStoppedWithin,
          held: heldOutcomes.map(show),
          stream: outcomes.map(show).join(' '),
          keptAliveAroundSigterm: afterSigterm.map(show).join(' '),
        };

        // The requests in flight at SIGTERM were answered, in full.
        expect({ ...context, heldCodes: heldOutcomes.map((outcome) => outcome.body?.code) }).toMatchObject({
          heldCodes: Array(6).fill('VALID'),
        });
        expect({
          ...context,
          heldKeptAlive: heldOutcomes.slice(4).map((outcome) => [outcome.reusedSocket, outcome.connection]),
        }).toMatchObject({
          heldKeptAlive: [
            [true, 'close'],
            [true, 'close'],
          ],
        });
        // No 5xx and no answer cut short. A request that got no answer at all was refused, or reset
        // before the service read it: a connection the kernel had queued when the port closed, or a
        // kept-alive one closed while idle (the race every HTTP/1.1 client must retry). The balance
        // below shows that none of those was charged.
        const bad = [...outcomes, ...keptAlive].filter((outcome) =>
          outcome.responseStarted
            ? outcome.status !== 200 || outcome.error !== undefined || outcome.body?.code !== 'VALID'
            : !['ECONNREFUSED', 'ECONNRESET'].includes(outcome.error!),
        );
        expect({ ...context, bad: bad.map(show) }).toMatchObject({ bad: [] });
        // What was sent well before SIGTERM was served; after it, the port closed.
        expect({
          ...context,
          early: outcomes.filter((outcome) => outcome.sentAt < sigtermAt - 50 && outcome.status !== 200).map(show),
        }).toMatchObject({ early: [] });
        expect(outcomes.filter((outcome) => outcome.error === 'ECONNREFUSED').length).toBeGreaterThan(0);
        // Busy kept-alive clients do not hold the processes up: all three are gone within the grace
        // period, and the primary reports that its workers drained.
        expect(context).toMatchObject({ exit: { code: 0, signal: null } });
        expect(allStoppedWithin).toBeLessThan(SHUTDOWN_GRACE_MS);
        for (const pid of [clustered.pid, ...workers]) expect(isAlive(pid)).toBe(false);

        // Nothing was charged that was not answered: the shared balance (Redis, where charges happen)
        // is CREDITS less the VALID answers. (PostgreSQL's copy follows within a write-back interval.)
        const answeredValid = [...warmups, ...heldOutcomes, ...outcomes, ...keptAlive].filter(
          (outcome) => outcome.body?.code === 'VALID',
        ).length;
        expect({ answeredValid, remaining: await sharedBalance(id) }).toEqual({ answeredValid, remaining: CREDITS - answeredValid });
      }));
  });
});
