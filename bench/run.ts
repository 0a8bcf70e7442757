// `npm run bench`: measures the verify service against baselines taken in the same run, with the
// same load generator (wrk, 50 connections), alternating targets round by round:
//   (a) a bare node:http server answering a fixed JSON of the same size: this machine's limit
//   (b) POST /v1/verify of a key without limits
//   (c) POST /v1/verify of a key with a rate limit and credits
//   (d) a hand-rolled route that looks the key's hash up in PostgreSQL on every request
//   (e) as (c), but over many keys in turn: no two requests in flight share a key, so no two
//       share a limit check (verify batches the checks of one key made in one event-loop turn)
//   (f) POST /v1/verify of a key of an owner, with two named limits and credits on the key and a
//       limit and credits on the owner: five counters charged together per verification
//   (g) GET /v1/forward-auth of the key of (b), as a gateway asks it (the key in X-API-Key, the
//       gateway's credential in Keyward-Verifier): the answer in headers
// It prints req/s, p50 and p99 for each, the ratios b/a, c/a and b/d, the verify service's own
// p99 (server time, from its histogram) at half the peak rate, and how long a revocation takes to
// reach verify. Figures are ratios against baselines because these machines are noisy.
import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort } from '../scripts/dev-services/free-port';
import { openBenchEnvironment, type BenchEnvironment } from './support/bench-environment';
import { createBenchTenant, createLimitedKeys } from './support/bench-tenant';
import { CONNECTIONS, load, post, type Sample } from './support/http-load';
import { treeCpuSeconds } from './support/process-cpu';
import { histogram, histogramP99 } from './support/prometheus-text';

const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Processes of the verify service (VERIFY_WORKERS) and of each baseline server alike. */
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 1);
const REVOCATIONS = 50;
/** The keys of target (e): more than CONNECTIONS, so that requests in flight never share one. */
const MANY_KEYS = 200;

type Target = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g';
const LABELS: Record<Target, string> = {
  a: '(a) bare node:http, fixed answer',
  b: '(b) verify, key without limits',
  c: '(c) verify, rate limit + credits',
  d: '(d) hand-rolled PostgreSQL lookup',
  e: `(e) as (c), ${MANY_KEYS} keys in turn`,
  f: '(f) verify, owner + 2 limits + credits',
  g: '(g) forward-auth, key of (b)',
};

const log = (line: string) => process.stdout.write(`${line}\n`);

function startBaseline(
  bench: BenchEnvironment,
  script: string,
  port: number,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<ChildProcess> {
  const child = fork(join(__dirname, 'servers', script), [String(port), ...args], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  bench.track(child);
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const bench = await openBenchEnvironment({ name: 'bench' });
  try {
    const { appEnv: env, platformToken: PLATFORM_TOKEN } = bench;
    // BENCH_PROFILE=1 writes a CPU profile of the verify service to .data/bench/profiles (see where the time goes).
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(bench.dataDir, 'profiles')}`] : [];
    const [{ url: adminUrl }, { url: verifyUrl, pid: verifyPid }] = await Promise.all([
      bench.startApp('admin-api'),
      bench.startApp('verify', { nodeArgs: profile, env: { VERIFY_WORKERS: String(PROCESSES) } }),
    ]);
    const [barePort, handRolledPort] = await Promise.all([freePort(), freePort()]);

    const { adminToken, verifier, plain, limited, owned } = await createBenchTenant(adminUrl, PLATFORM_TOKEN, 'bench');
    const manyLimited = await createLimitedKeys(adminUrl, adminToken, MANY_KEYS);

    const sampleAnswer = JSON.stringify(await post(`${verifyUrl}/v1/verify`, verifier, { key: plain }));
    if (!sampleAnswer.includes('"VALID"')) throw new Error(`verify of the plain key answered ${sampleAnswer}`);
    const ownedAnswer = await post(`${verifyUrl}/v1/verify`, verifier, { key: owned });
    if (ownedAnswer.code !== 'VALID' || ownedAnswer.rateLimits?.length !== 3 || ownedAnswer.credits?.ownerRemaining === undefined)
      throw new Error(`verify of the owned key answered ${JSON.stringify(ownedAnswer)}`);
    const bare = await startBaseline(bench, 'bare-http.js', barePort, [sampleAnswer], { ...env, BENCH_PROCESSES: String(PROCESSES) });
    const handRolled = await startBaseline(bench, 'hand-rolled-pg.js', handRolledPort, [], {
      ...env,
      BENCH_OWNER_URL: bench.ownerUrl,
      BENCH_PROCESSES: String(PROCESSES),
    });

    // `pid`: the server process whose CPU time each request costs (PostgreSQL's and Redis's not included).
    const targets: Record<
      Target,
      { url: string; body: string | string[]; pid: number; method?: string; headers?: Record<string, string> }
    > = {
      a: { url: `http://127.0.0.1:${barePort}/v1/verify`, body: JSON.stringify({ key: plain }), pid: bare.pid! },
      b: { url: `${verifyUrl}/v1/verify`, body: JSON.stringify({ key: plain }), pid: verifyPid },
      c: { url: `${verifyUrl}/v1/verify`, body: JSON.stringify({ key: limited }), pid: verifyPid },
      d: { url: `http://127.0.0.1:${handRolledPort}/v1/verify`, body: JSON.stringify({ key: plain }), pid: handRolled.pid! },
      e: { url: `${verifyUrl}/v1/verify`, body: manyLimited.map((key) => JSON.stringify({ key })), pid: verifyPid },
      f: { url: `${verifyUrl}/v1/verify`, body: JSON.stringify({ key: owned }), pid: verifyPid },
      g: {
        url: `${verifyUrl}/v1/forward-auth`,
        body: '',
        pid: verifyPid,
        method: 'GET',
        headers: { 'keyward-verifier': verifier, 'x-api-key': plain },
      },
    };
    log(
      `Keyward verify benchmark: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${ROUND_SECONDS} s per target, alternating (VERIFY_WORKERS=${PROCESSES}, each baseline in as many processes)`,
    );
    // BENCH_ONLY=bc measures only those targets (ratios need their two targets).
    const chosen = (Object.keys(targets) as Target[]).filter(
      (target) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.includes(target),
    );
    const shape = (target: Target) => ({ method: targets[target].method, headers: targets[target].headers });
    for (const target of chosen) await load(targets[target].url, verifier, targets[target].body, { seconds: 2, ...shape(target) }); // warm-up
    const samples: Record<Target, Sample[]> = { a: [], b: [], c: [], d: [], e: [], f: [], g: [] };
    /** Server CPU microseconds per request, per round: less sensitive than req/s to what else the machine runs. */
    const cpuPerRequest: Record<Target, number[]> = { a: [], b: [], c: [], d: [], e: [], f: [], g: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of chosen) {
        const cpuBefore = treeCpuSeconds(targets[target].pid);
        const sample = await load(targets[target].url, verifier, targets[target].body, { seconds: ROUND_SECONDS, ...shape(target) });
        cpuPerRequest[target].push(((treeCpuSeconds(targets[target].pid) - cpuBefore) * 1e6) / sample.requests);
        samples[target].push(sample);
      }
      log(`  round ${round}/${ROUNDS} done`);
    }

    const summary = {} as Record<Target, Sample>;
    log('');
    log('target                               req/s    p50 ms   p99 ms   errors   server CPU us/req');
    for (const target of chosen) {
      const s = samples[target];
      summary[target] = {
        rps: median(s.map((x) => x.rps)),
        p50: median(s.map((x) => x.p50)),
        p99: median(s.map((x) => x.p99)),
        errors: s.reduce((n, x) => n + x.errors, 0),
        requests: s.reduce((n, x) => n + x.requests, 0),
      };
      const { rps, p50, p99, errors } = summary[target];
      log(
        `${LABELS[target].padEnd(36)} ${rps.toFixed(0).padStart(6)} ${p50.toFixed(1).padStart(9)} ${p99.toFixed(1).padStart(8)} ${String(errors).padStart(8)} ${median(cpuPerRequest[target]).toFixed(1).padStart(19)}`,
      );
    }
    const ratio = (x: Target, y: Target, note: string): void => {
      if (summary[x] && summary[y]) log(`${x}/${y} = ${(summary[x].rps / summary[y].rps).toFixed(2)}   (${note})`);
    };
    log('');
    ratio('b', 'a', 'target >= 0.70');
    ratio('c', 'a', 'target >= 0.35');
    ratio('f', 'a', 'target >= 0.35');
    ratio('g', 'b', 'target >= 0.90: forward auth on the same lean path');
    ratio('b', 'd', 'target >= 3');
    ratio('e', 'a', 'no target: (c) where no two checks can share a batch');
    if (summary.a && summary.b) {
      log(
        `server CPU per request, b/a = ${(median(cpuPerRequest.b) / median(cpuPerRequest.a)).toFixed(2)}x (the same ratio in the CPU each answer costs, whatever the load generator left)`,
      );
    }
    if (!summary.b) return;

    const halfRate = Math.floor(summary.b.rps / 2);
    const before = await histogram(`${verifyUrl}/metrics`, 'keyward_verify_duration_seconds');
    const half = await load(targets.b.url, verifier, targets.b.body, { seconds: ROUND_SECONDS, rate: halfRate });
    const after = await histogram(`${verifyUrl}/metrics`, 'keyward_verify_duration_seconds');
    const serverP99 = histogramP99(before, after);
    log('');
    log(
      `At half the peak rate (${halfRate} req/s offered, ${half.rps.toFixed(0)} served): server-side p99 <= ${(serverP99.bound * 1000).toFixed(2)} ms ` +
        `(histogram bucket bound, ${serverP99.count} verifications; target < 1 ms); client p99 ${half.p99.toFixed(1)} ms`,
    );

    const delays: number[] = [];
    for (let i = 0; i < REVOCATIONS; i++) {
      const created = await post(`${adminUrl}/v1/keys`, adminToken, { name: `revoke-${i}` });
      await post(`${verifyUrl}/v1/verify`, verifier, { key: created.key });
      await post(`${adminUrl}/v1/keys/${created.id}/revoke`, adminToken, {});
      const revokedAt = performance.now();
      for (;;) {
        const answer = await post(`${verifyUrl}/v1/verify`, verifier, { key: created.key });
        if (answer.code === 'REVOKED') break;
        if (performance.now() - revokedAt > 5_000) throw new Error('revocation did not reach verify within 5 s');
      }
      delays.push(performance.now() - revokedAt);
    }
    log(
      `Revocation reaches verify (revoke answered -> first REVOKED): p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms over ${REVOCATIONS} (target p99 < 100 ms)`,
    );
  } finally {
    await bench.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
