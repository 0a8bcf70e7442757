// `npm run bench`: measures the verify service against baselines taken in the same run, with the
// same load generator (autocannon, 50 connections), alternating targets round by round:
//   (a) a bare node:http server answering a fixed JSON of the same size: this machine's limit
//   (b) POST /v1/verify of a key without limits
//   (c) POST /v1/verify of a key with a rate limit and credits
//   (d) a hand-rolled route that looks the key's hash up in PostgreSQL on every request
// It prints req/s, p50 and p99 for each, the ratios b/a, c/a and b/d, the verify service's own
// p99 (server time, from its histogram) at half the peak rate, and how long a revocation takes to
// reach verify. Figures are ratios against baselines because these machines are noisy.
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, escapeIdentifier } from 'pg';
import { provisionDatabase } from '../libs/platform/src/database/provision';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../scripts/dev-services/embedded-postgres';
import { freePort } from '../scripts/dev-services/free-port';
import { findOrStartRedis, type LocalRedis } from '../scripts/dev-services/local-redis';

const CONNECTIONS = 50;
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REVOCATIONS = 50;
const PLATFORM_TOKEN = `kwp_${randomBytes(24).toString('base64url')}`;

type Target = 'a' | 'b' | 'c' | 'd';
const LABELS: Record<Target, string> = {
  a: '(a) bare node:http, fixed answer',
  b: '(b) verify, key without limits',
  c: '(c) verify, rate limit + credits',
  d: '(d) hand-rolled PostgreSQL lookup',
};

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const children: ChildProcess[] = [];
const log = (line: string) => process.stdout.write(`${line}\n`);

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready`);
}

function startApp(app: string, env: NodeJS.ProcessEnv): ChildProcess {
  // BENCH_PROFILE=1 writes a CPU profile of the verify service to .data/bench/profiles (see where the time goes).
  const profile = process.env.BENCH_PROFILE && app === 'verify' ? ['--cpu-prof', `--cpu-prof-dir=${resolve(env.KEYWARD_DATA_DIR ?? '.data', 'profiles')}`] : [];
  const child = spawn(process.execPath, [...profile, join(__dirname, '..', 'apps', app, 'src', 'main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

function startBaseline(script: string, port: number, args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = fork(join(__dirname, 'servers', script), [String(port), ...args], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function post(url: string, token: string, body: unknown): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return response.json();
}

function load(url: string, token: string, body: string, options: { seconds: number; rate?: number }): Promise<Sample> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        connections: CONNECTIONS,
        duration: options.seconds,
        overallRate: options.rate,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors + result.timeouts });
      },
    );
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

/** The histogram's buckets: cumulative counts by upper bound, from the Prometheus text. */
async function histogram(metricsUrl: string, name: string): Promise<Map<number, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\} (\\d+)`).exec(line);
    if (match) buckets.set(match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2]));
  }
  return buckets;
}

/** p99 of the observations between two scrapes: the first bucket bound holding 99% of them. */
function histogramP99(before: Map<number, number>, after: Map<number, number>): { bound: number; count: number } {
  const bounds = [...after.keys()].sort((x, y) => x - y);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  for (const bound of bounds) {
    if ((after.get(bound) ?? 0) - (before.get(bound) ?? 0) >= 0.99 * total) return { bound, count: total };
  }
  return { bound: Infinity, count: total };
}

async function main(): Promise<void> {
  const dataDir = resolve(process.env.KEYWARD_DATA_DIR || '.data', 'bench');
  mkdirSync(dataDir, { recursive: true });
  let postgres: EmbeddedPostgres | null = null;
  let redis: LocalRedis | null = null;
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const database = `keyward_bench_${stamp}`;
  let ownerUrl = '';
  try {
    postgres = process.env.DATABASE_URL ? null : await startEmbeddedPostgres(dataDir, { database: 'postgres' });
    const server = new URL(process.env.DATABASE_URL || postgres!.url);
    server.pathname = `/${database}`;
    ownerUrl = server.toString();
    const { appUrl } = await provisionDatabase(ownerUrl);
    redis = await findOrStartRedis(dataDir, process.env.REDIS_URL);

    const [adminPort, verifyPort, barePort, handRolledPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_APP_URL: appUrl,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `kwbench:${stamp}:`,
      PLATFORM_ADMIN_TOKEN: PLATFORM_TOKEN,
      KEYWARD_PEPPER: randomBytes(32).toString('base64'),
      KEYWARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      KEYWARD_DATA_DIR: dataDir,
      ADMIN_PORT: String(adminPort),
      VERIFY_PORT: String(verifyPort),
      VERIFY_WORKERS: '1',
      ADMIN_RATE_LIMIT_PER_MINUTE: '1000000',
    };
    const admin = startApp('admin-api', env);
    const verify = startApp('verify', env);
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    const verifyUrl = `http://127.0.0.1:${verifyPort}`;
    await Promise.all([waitReady(`${adminUrl}/readyz`, admin), waitReady(`${verifyUrl}/readyz`, verify)]);

    const tenant = await post(`${adminUrl}/v1/tenants`, PLATFORM_TOKEN, { name: 'bench' });
    const adminToken = (await post(`${adminUrl}/v1/tenants/${tenant.id}/credentials`, PLATFORM_TOKEN, { name: 'bench-admin', role: 'admin' })).token;
    const verifier = (await post(`${adminUrl}/v1/tenants/${tenant.id}/credentials`, PLATFORM_TOKEN, { name: 'bench-verifier', role: 'verifier' })).token;
    const plain = (await post(`${adminUrl}/v1/keys`, adminToken, { name: 'plain' })).key;
    const limited = (await post(`${adminUrl}/v1/keys`, adminToken, { name: 'limited', rateLimit: { limit: 1_000_000_000, windowSeconds: 3600 }, remaining: 1_000_000_000_000 })).key;

    const sampleAnswer = JSON.stringify(await post(`${verifyUrl}/v1/verify`, verifier, { key: plain }));
    if (!sampleAnswer.includes('"VALID"')) throw new Error(`verify of the plain key answered ${sampleAnswer}`);
    await startBaseline('bare-http.js', barePort, [sampleAnswer], env);
    await startBaseline('hand-rolled-pg.js', handRolledPort, [], { ...env, BENCH_OWNER_URL: ownerUrl });

    const targets: Record<Target, { url: string; body: string }> = {
      a: { url: `http://127.0.0.1:${barePort}/v1/verify`, body: JSON.stringify({ key: plain }) },
      b: { url: `${verifyUrl}/v1/verify`, body: JSON.stringify({ key: plain }) },
      c: { url: `${verifyUrl}/v1/verify`, body: JSON.stringify({ key: limited }) },
      d: { url: `http://127.0.0.1:${handRolledPort}/v1/verify`, body: JSON.stringify({ key: plain }) },
    };
    log(`Keyward verify benchmark: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${ROUND_SECONDS} s per target, alternating (VERIFY_WORKERS=1)`);
    // BENCH_ONLY=bc measures only those targets (ratios need their two targets).
    const chosen = (Object.keys(targets) as Target[]).filter((target) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.includes(target));
    for (const target of chosen) await load(targets[target].url, verifier, targets[target].body, { seconds: 2 }); // warm-up
    const samples: Record<Target, Sample[]> = { a: [], b: [], c: [], d: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of chosen) {
        samples[target].push(await load(targets[target].url, verifier, targets[target].body, { seconds: ROUND_SECONDS }));
      }
      log(`  round ${round}/${ROUNDS} done`);
    }

    const summary = {} as Record<Target, Sample>;
    log('');
    log('target                               req/s    p50 ms   p99 ms   errors');
    for (const target of chosen) {
      const s = samples[target];
      summary[target] = { rps: median(s.map((x) => x.rps)), p50: median(s.map((x) => x.p50)), p99: median(s.map((x) => x.p99)), errors: s.reduce((n, x) => n + x.errors, 0) };
      const { rps, p50, p99, errors } = summary[target];
      log(`${LABELS[target].padEnd(36)} ${rps.toFixed(0).padStart(6)} ${p50.toFixed(1).padStart(9)} ${p99.toFixed(1).padStart(8)} ${String(errors).padStart(8)}`);
    }
    const ratio = (x: Target, y: Target, target: string): void => {
      if (summary[x] && summary[y]) log(`${x}/${y} = ${(summary[x].rps / summary[y].rps).toFixed(2)}   (target ${target})`);
    };
    log('');
    ratio('b', 'a', '>= 0.60');
    ratio('c', 'a', '>= 0.35');
    ratio('b', 'd', '>= 3');
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
    log(`Revocation reaches verify (revoke answered -> first REVOKED): p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms over ${REVOCATIONS} (target p99 < 100 ms)`);
  } finally {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      ),
    );
    if (ownerUrl) {
      const server = new URL(ownerUrl);
      server.pathname = '/postgres';
      const client = new Client({ connectionString: server.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(database)} WITH (FORCE)`).catch(() => undefined);
      await client.query(`DROP ROLE IF EXISTS ${escapeIdentifier(`${database}_service`)}`).catch(() => undefined);
      await client.end();
    }
    if (redis) await dropRedisKeys(redis.url, `kwbench:${stamp}:`).catch(() => undefined);
    await redis?.stop();
    await postgres?.stop();
  }
}

/** The run's own Redis keys (counters, balances, queues), deleted at the end. */
async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
