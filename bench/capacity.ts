// `npm run capacity`: the figures an operator sizes a deployment with, measured on this machine
// (issue 8, "A capacity model"), printed as Markdown for docs/operations.md (Capacity model):
//   1. Redis commands and PostgreSQL writes per 1,000 verifications, for a key without limits and
//      for a key with a rate limit and credits, with an idle window of the same length subtracted;
//   2. verifications per CPU-second of one verify process (VERIFY_WORKERS=1) under 50 connections;
//   3. memory per cached key: one verify process before and after CAPACITY_KEYS keys are cached.
// Nothing else touches the run's database or (when redis-server is on PATH) its Redis while it
// measures: the admin API is stopped once the tenant exists, and no worker runs.
import Redis from 'ioredis';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { generateApiKey, keyStart } from '../libs/keys/src/domain/key-format';
import { loadKeywardConfig } from '../libs/platform/src/config/keyward-config';
import { KeyedHasher } from '../libs/platform/src/secrets/keyed-hash';
import { openBenchEnvironment, type BenchApp, type BenchEnvironment } from './support/bench-environment';
import { createBenchTenant, type BenchTenant } from './support/bench-tenant';
import { CONNECTIONS, load, post, postEach } from './support/http-load';
import { cpuSeconds, TICKS_PER_SECOND } from './support/process-cpu';
import { scrape, total } from './support/prometheus-text';

/**
 * Keys cached for the memory figure: a million by default (the verify process gets a cache that
 * large, VERIFY_CACHE_MAX_KEYS). Each is loaded from PostgreSQL on its first verification, one to
 * three thousand a second on a 2-CPU machine, so a million take several minutes; CAPACITY_KEYS
 * makes a quicker run (the cost per key is linear).
 */
const CACHED_KEYS = Number(process.env.CAPACITY_KEYS ?? 1_000_000);
/** An entry older than this answers as a miss (the key cache's SAFETY_TTL_MS is 60 s), so the second pass samples younger ones. */
const SAMPLE_YOUNGER_THAN_MS = 50_000;
const VERIFICATIONS = Number(process.env.CAPACITY_VERIFICATIONS ?? 10_000);
/** A steady rate, because writes are batched per key and second: per 1,000 they depend on the rate. */
const RATE = Number(process.env.CAPACITY_RATE ?? 2_000);
const THROUGHPUT_SECONDS = Number(process.env.CAPACITY_SECONDS ?? 10);
const SAMPLE = 10_000;
/** Parallel requests while caching the keys: enough to keep the verify process's 10 connections to PostgreSQL busy. */
const CACHING_CONCURRENCY = 64;
/**
 * How long after the last verification the counters are read: the usage and credit flushes run every
 * second, and PostgreSQL publishes a backend's counters at most once a second, or, when it just did,
 * once the backend has been idle for 10 s (PGSTAT_IDLE_INTERVAL).
 */
const SETTLE_MS = 12_000;

const log = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Counters {
  at: number;
  /** Requests clients sent, by command (MONITOR, whose own connection it does not show), without our own INFO. */
  requests: Map<string, number>;
  /** Commands Redis executed, by command, those run inside scripts included (INFO commandstats), without our own INFO. */
  redis: Map<string, number>;
  /** pg_stat_database of the run's database. */
  postgres: { transactions: number; inserted: number; updated: number; deleted: number };
}

interface WindowResult {
  seconds: number;
  verifications: number;
  requests: Map<string, number>;
  redis: Map<string, number>;
  postgres: Counters['postgres'];
}

class CounterReader {
  /** Requests seen so far by command; commands that scripts run are not requests (MONITOR's source "lua"). */
  private readonly requestsSeen = new Map<string, number>();

  private constructor(
    private readonly redis: Redis,
    private readonly monitor: Redis,
    private readonly postgres: Client,
    private readonly database: string,
  ) {
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const command = args[0].toLowerCase();
      if (source !== 'lua' && command !== 'info') this.requestsSeen.set(command, (this.requestsSeen.get(command) ?? 0) + 1);
    });
  }

  /** Reads from the `postgres` database, so that its own transactions are not counted in the run's. */
  static async open(bench: BenchEnvironment): Promise<CounterReader> {
    const server = new URL(bench.ownerUrl);
    server.pathname = '/postgres';
    const postgres = new Client({ connectionString: server.toString() });
    await postgres.connect();
    const redis = new Redis(bench.redisUrl, { maxRetriesPerRequest: 1 });
    // monitor() opens a connection of its own for MONITOR.
    return new CounterReader(redis, await redis.monitor(), postgres, bench.database);
  }

  async read(): Promise<Counters> {
    const info = await this.redis.info('commandstats');
    const redis = new Map<string, number>();
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (match[1] !== 'info') redis.set(match[1], Number(match[2]));
    const requests = new Map(this.requestsSeen);
    const { rows } = await this.postgres.query(
      `SELECT xact_commit + xact_rollback AS transactions, tup_inserted AS inserted, tup_updated AS updated, tup_deleted AS deleted
         FROM pg_stat_database WHERE datname = $1`,
      [this.database],
    );
    const [row] = rows as Record<string, string>[];
    return {
      at: Date.now(),
      requests,
      redis,
      postgres: {
        transactions: Number(row.transactions),
        inserted: Number(row.inserted),
        updated: Number(row.updated),
        deleted: Number(row.deleted),
      },
    };
  }

  /** Counts what happens while `verify` runs and until SETTLE_MS after it, over at least `minimumMs`. */
  async window(verify: () => Promise<number>, minimumMs = 0): Promise<WindowResult> {
    const before = await this.read();
    const verifications = await verify();
    await sleep(Math.max(SETTLE_MS, minimumMs - (Date.now() - before.at)));
    const after = await this.read();
    const difference = (later: Map<string, number>, earlier: Map<string, number>) =>
      new Map(
        [...later].map(([command, calls]) => [command, calls - (earlier.get(command) ?? 0)] as const).filter(([, calls]) => calls > 0),
      );
    const postgres = {
      transactions: after.postgres.transactions - before.postgres.transactions,
      inserted: after.postgres.inserted - before.postgres.inserted,
      updated: after.postgres.updated - before.postgres.updated,
      deleted: after.postgres.deleted - before.postgres.deleted,
    };
    return {
      seconds: (after.at - before.at) / 1000,
      verifications,
      requests: difference(after.requests, before.requests),
      redis: difference(after.redis, before.redis),
      postgres,
    };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    this.monitor.disconnect();
    await this.postgres.end();
  }
}

/** Per 1,000 verifications, less what the idle window saw in as long a time (never below 0: that is noise). */
function per1000(value: number, idleValue: number, window: WindowResult, idle: WindowResult): number {
  return Math.max(0, ((value - (idleValue * window.seconds) / idle.seconds) / window.verifications) * 1000);
}

/** "<total> (<command> <count>, ...)" per 1,000 verifications, idle subtracted. */
function perThousandCommands(
  window: Map<string, number>,
  idle: Map<string, number>,
  windowResult: WindowResult,
  idleResult: WindowResult,
): string {
  const sum = (calls: Map<string, number>) => [...calls.values()].reduce((n, calls) => n + calls, 0);
  const commands = [...window]
    .map(([command, calls]) => [command, per1000(calls, idle.get(command) ?? 0, windowResult, idleResult)] as const)
    .filter(([, calls]) => calls >= 0.05)
    .sort(([, x], [, y]) => y - x)
    .map(([command, calls]) => `${command} ${calls.toFixed(1)}`)
    .join(', ');
  return `${per1000(sum(window), sum(idle), windowResult, idleResult).toFixed(1)}${commands ? ` (${commands})` : ''}`;
}

function perThousandRow(label: string, window: WindowResult, idle: WindowResult): string {
  const figure = (field: keyof WindowResult['postgres']) => per1000(window.postgres[field], idle.postgres[field], window, idle).toFixed(1);
  return (
    `| ${label} | ${perThousandCommands(window.requests, idle.requests, window, idle)} | ${perThousandCommands(window.redis, idle.redis, window, idle)} ` +
    `| ${figure('transactions')} | ${figure('inserted')} | ${figure('updated')} | ${figure('deleted')} |`
  );
}

/** utime + stime of a process, in seconds (/proc/<pid>/stat fields 14 and 15). */

/** The whole machine's busy and total CPU time, in ticks (/proc/stat), to say how loaded it was. */
function machineTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const totalTicks = values.slice(0, 8).reduce((n, value) => n + value, 0);
  return { busy: totalTicks - values[3] - values[4], total: totalTicks };
}

function residentBytes(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

/** RSS and V8's used heap after a full garbage collection (see support/gc-on-signal.ts). */
async function memoryAfterGc(verify: BenchApp): Promise<{ rss: number; heap: number }> {
  process.kill(verify.pid, 'SIGWINCH');
  await sleep(1_000);
  const heap = total(await scrape(`${verify.url}/metrics`), 'nodejs_heap_size_used_bytes');
  return { rss: residentBytes(verify.pid), heap };
}

/**
 * Inserts `count` keys of the tenant with COPY as the database owner, made as CreateKeyUseCase makes
 * them (the domain's generator, the keyed hash with the apps' pepper), and returns their plaintexts.
 */
async function insertKeys(bench: BenchEnvironment, tenantId: string, count: number): Promise<string[]> {
  const config = loadKeywardConfig(bench.appEnv);
  const hasher = new KeyedHasher(config.pepper);
  const keys: string[] = [];
  const client = new Client({ connectionString: bench.ownerUrl });
  await client.connect();
  try {
    const rows = function* (): Generator<string> {
      for (let i = 0; i < count; i += 1_000) {
        let chunk = '';
        for (let j = i; j < Math.min(count, i + 1_000); j++) {
          const key = generateApiKey(config.keyPrefix, 'live');
          keys.push(key);
          // COPY's text format: tab-separated, and a bytea as \x<hex> with its backslash escaped.
          chunk += `${tenantId}\tcapacity-${j}\t\\\\x${hasher.hash(key).toString('hex')}\t${keyStart(key, config.keyPrefix, 'live')}\tlive\n`;
        }
        yield chunk;
      }
    };
    await pipeline(
      Readable.from(rows()),
      client.query(copyFrom('COPY api_keys (tenant_id, name, key_hash, start, environment) FROM STDIN')),
    );
    // Fresh planner statistics, as a table of this size would have in production.
    await client.query('ANALYZE api_keys');
  } finally {
    await client.end();
  }
  return keys;
}

async function measureOperations(bench: BenchEnvironment, verifyUrl: string, tenant: BenchTenant): Promise<void> {
  const reader = await CounterReader.open(bench);
  try {
    const seconds = VERIFICATIONS / RATE;
    const verifyAtRate = (key: string) => async () => {
      const sample = await load(`${verifyUrl}/v1/verify`, tenant.verifier, JSON.stringify({ key }), { amount: VERIFICATIONS, rate: RATE });
      if (sample.errors > 0) throw new Error(`${sample.errors} of ${sample.requests} verifications failed`);
      return sample.requests;
    };
    log(`Measuring Redis commands and PostgreSQL writes: an idle window, then ${VERIFICATIONS} verifications at ${RATE}/s per key...`);
    await sleep(SETTLE_MS); // the writes of the verifications before (the first of each key) are flushed and counted
    const idle = await reader.window(async () => 0, seconds * 1000 + SETTLE_MS);
    const plain = await reader.window(verifyAtRate(tenant.plain));
    const limited = await reader.window(verifyAtRate(tenant.limited));
    log();
    log(
      `Per 1,000 verifications (one verify process, ${RATE} verifications/s for ${seconds} s, then ${SETTLE_MS / 1000} s for the flushes; an idle window of as long subtracted${bench.redisIsPrivate ? '' : "; Redis shared with other clients, so its figures are not this run's alone"}):`,
    );
    log();
    log(
      "| key | Redis requests | Redis commands executed (scripts' included) | PostgreSQL transactions | rows inserted | rows updated | rows deleted |",
    );
    log('|---|---|---|---:|---:|---:|---:|');
    log(perThousandRow('without limits', plain, idle));
    log(perThousandRow('rate limit + credits', limited, idle));
    log();
    const idleRequests = [...idle.requests].map(([command, calls]) => `${calls} ${command}`).join(', ') || 'none';
    log(
      `Idle, the verify process itself: Redis requests ${idleRequests}; ${idle.postgres.transactions} PostgreSQL transactions in ${idle.seconds.toFixed(0)} s.`,
    );
  } finally {
    await reader.close();
  }
}

async function measureThroughput(verify: BenchApp, tenant: BenchTenant, ticksPerSecond: number): Promise<void> {
  const body = JSON.stringify({ key: tenant.plain });
  await load(`${verify.url}/v1/verify`, tenant.verifier, body, { seconds: 2 }); // warm-up
  const cpuBefore = cpuSeconds(verify.pid, ticksPerSecond);
  const machineBefore = machineTicks();
  const sample = await load(`${verify.url}/v1/verify`, tenant.verifier, body, { seconds: THROUGHPUT_SECONDS });
  const cpu = cpuSeconds(verify.pid, ticksPerSecond) - cpuBefore;
  const machineAfter = machineTicks();
  const busy = (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total);
  log();
  log(
    `Throughput, key without limits (one verify process, ${CONNECTIONS} connections, ${THROUGHPUT_SECONDS} s): ${sample.rps.toFixed(0)} req/s, ` +
      `p99 ${sample.p99.toFixed(1)} ms, ${sample.errors} errors; the verify process used ${cpu.toFixed(1)} CPU-s for ${sample.requests} verifications: ` +
      `**${(sample.requests / cpu).toFixed(0)} verifications per CPU-second**.`,
  );
  log(
    `(Shared, noisy machine: ${cpus().length} CPUs, ${(busy * 100).toFixed(0)}% busy during the run, load generator and PostgreSQL included; ` +
      'req/s is what was left for verify, verifications per CPU-second is the figure to size with.)',
  );
}

async function measureMemory(bench: BenchEnvironment, tenant: BenchTenant, ticksPerSecond: number): Promise<void> {
  log();
  log(`Measuring memory: inserting ${CACHED_KEYS} keys with COPY...`);
  const keys = await insertKeys(bench, tenant.id, CACHED_KEYS);
  const verify = await bench.startApp('verify', {
    nodeArgs: ['--expose-gc', '-r', join(__dirname, 'support', 'gc-on-signal.js')],
    env: { VERIFY_CACHE_MAX_KEYS: String(Math.max(CACHED_KEYS, 200_000)) },
  });
  const verifyUrl = `${verify.url}/v1/verify`;
  await load(verifyUrl, tenant.verifier, JSON.stringify({ key: tenant.plain }), { seconds: 2 }); // warm-up, one key
  const before = await memoryAfterGc(verify);
  const counted = (samples: Map<string, number>, name: string) => total(samples, name, ['cache="keys"']);
  const beforeCaching = await scrape(`${verify.url}/metrics`);

  log(`Verifying each of them once (${CACHING_CONCURRENCY} at a time)...`);
  const started = Date.now();
  const cpuBefore = cpuSeconds(verify.pid, ticksPerSecond);
  const answeredAt = new Float64Array(CACHED_KEYS);
  const bodies = keys.map((key) => JSON.stringify({ key }));
  const codes = await postEach(verifyUrl, tenant.verifier, bodies, CACHING_CONCURRENCY, (index) => (answeredAt[index] = Date.now()));
  const cachingSeconds = (Date.now() - started) / 1000;
  const cachingCpu = cpuSeconds(verify.pid, ticksPerSecond) - cpuBefore;
  if (codes.get('VALID') !== CACHED_KEYS) throw new Error(`verifying the keys answered ${JSON.stringify(Object.fromEntries(codes))}`);
  await sleep(3_000); // the usage flush of as many keys
  const after = await memoryAfterGc(verify);

  // A second pass over a sample spread over the keys: every one must be a hit. Only keys cached
  // within the safety TTL can be, so when caching them all took longer, the sample is of the younger.
  const metricsBefore = await scrape(`${verify.url}/metrics`);
  const young = [...answeredAt.keys()].filter((index) => answeredAt[index] > Date.now() - SAMPLE_YOUNGER_THAN_MS);
  const sample = Array.from(
    { length: Math.min(SAMPLE, young.length) },
    (_, i) => bodies[young[Math.floor((i * young.length) / Math.min(SAMPLE, young.length))]],
  );
  await postEach(verifyUrl, tenant.verifier, sample, CACHING_CONCURRENCY);
  const metricsAfter = await scrape(`${verify.url}/metrics`);
  const hits = counted(metricsAfter, 'keyward_verify_cache_hits_total') - counted(metricsBefore, 'keyward_verify_cache_hits_total');
  const misses = counted(metricsAfter, 'keyward_verify_cache_misses_total') - counted(metricsBefore, 'keyward_verify_cache_misses_total');

  const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  log();
  const cachingMisses =
    counted(metricsBefore, 'keyward_verify_cache_misses_total') - counted(beforeCaching, 'keyward_verify_cache_misses_total');
  log(
    `Memory per cached key (one verify process, ${CACHED_KEYS} keys of one tenant, each verified once: ${cachingMisses} cache misses, each a look-up in PostgreSQL, ` +
      `in ${cachingSeconds.toFixed(0)} s, ${(CACHED_KEYS / cachingSeconds).toFixed(0)}/s, ${((cachingCpu * 1000) / CACHED_KEYS).toFixed(2)} CPU-ms of the verify process each):`,
  );
  log();
  log('| | before | after | per cached key |');
  log('|---|---:|---:|---:|');
  log(
    `| RSS | ${megabytes(before.rss)} MiB | ${megabytes(after.rss)} MiB | ${((after.rss - before.rss) / CACHED_KEYS).toFixed(0)} bytes |`,
  );
  log(
    `| V8 heap used | ${megabytes(before.heap)} MiB | ${megabytes(after.heap)} MiB | ${((after.heap - before.heap) / CACHED_KEYS).toFixed(0)} bytes |`,
  );
  log();
  const sampled =
    young.length === CACHED_KEYS
      ? 'spread over all of them'
      : `spread over the ${young.length} cached in the last ${SAMPLE_YOUNGER_THAN_MS / 1000} s (older entries, still in memory, answer as misses past the cache's 60-s safety TTL)`;
  log(`Still cached: a second pass over ${sample.length} of them, ${sampled}: ${hits} hits, ${misses} misses.`);
}

async function main(): Promise<void> {
  const bench = await openBenchEnvironment({ name: 'capacity', redis: 'private', log });
  try {
    const startedAt = Date.now();
    log(
      `## Capacity figures (\`npm run capacity\`, ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version})`,
    );
    log();
    const admin = await bench.startApp('admin-api');
    const verify = await bench.startApp('verify');
    const tenant = await createBenchTenant(admin.url, bench.platformToken, 'capacity');
    await bench.stop(admin.child);
    for (const key of [tenant.plain, tenant.limited]) {
      const answer = await post(`${verify.url}/v1/verify`, tenant.verifier, { key });
      if (answer.code !== 'VALID') throw new Error(`verify answered ${JSON.stringify(answer)}`);
    }
    await measureOperations(bench, verify.url, tenant);
    const ticksPerSecond = TICKS_PER_SECOND;
    await measureThroughput(verify, tenant, ticksPerSecond);
    await bench.stop(verify.child);
    await measureMemory(bench, tenant, ticksPerSecond);
    log();
    log(`(${((Date.now() - startedAt) / 1000).toFixed(0)} s in all.)`);
  } finally {
    await bench.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`capacity failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
