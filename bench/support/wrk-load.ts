// Constant load with wrk (docs/benchmarks.md): a C load generator that costs the machine a
// fraction of the CPU a Node one does, so that on a small machine the service under test, and
// the Redis and PostgreSQL it asks, keep the cores the measurement is about. A Lua script of the
// run's own sets the request (or, given several bodies, takes them in turn) and prints the summary
// as one JSON line.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** One body for every request, or several taken in turn. */
  body: string | readonly string[];
  connections: number;
  seconds: number;
}

export interface WrkResult {
  requests: number;
  /** Requests per second over the run. */
  rps: number;
  /** Latency percentiles in ms. */
  p50: number;
  p99: number;
  /** Connect, read, write and time-out errors, and answers of status 400 or more. */
  errors: number;
}

const RESULT_MARK = 'WRK_RESULT ';

/** A Lua string literal of any text (wrk's Lua 5.1 reads decimal escapes). */
function luaString(text: string): string {
  return `"${Array.from(Buffer.from(text, 'utf8'), (byte) => (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\${byte}`)).join('')}"`;
}

function scriptOf(request: WrkRequest): string {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`)
    .join('\n');
  // One body: set once, and wrk builds the request once. Several: a request() per request.
  const body =
    typeof request.body === 'string'
      ? request.body === ''
        ? ''
        : `wrk.body = ${luaString(request.body)}`
      : [
          `local bodies = {${request.body.map(luaString).join(',\n')}}`,
          'local next = 0',
          'request = function()',
          '  next = next % #bodies + 1',
          '  return wrk.format(nil, nil, nil, bodies[next])',
          'end',
        ].join('\n');
  return [
    `wrk.method = ${luaString(request.method)}`,
    headers,
    body,
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    `  io.write(string.format("\\n${RESULT_MARK}%d %d %d %d %d\\n", summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(99)))`,
    'end',
    '',
  ].join('\n');
}

/** Runs wrk (one thread) against the request for its seconds; fails naming the package when wrk is missing. */
export function wrkLoad(request: WrkRequest): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-wrk-'));
  const script = join(dir, 'load.lua');
  writeFileSync(script, scriptOf(request));
  const args = ['-t1', `-c${request.connections}`, `-d${request.seconds}s`, '-s', script, request.url];
  return new Promise<WrkResult>((resolve, reject) => {
    execFile('wrk', args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new Error('the benchmarks need wrk: install it (apt-get install wrk)'));
      }
      const line = stdout.split('\n').find((text) => text.startsWith(RESULT_MARK));
      if (error || !line) return reject(new Error(`wrk failed: ${stderr || stdout || error?.message}`));
      const [requests, durationUs, errors, p50Us, p99Us] = line.slice(RESULT_MARK.length).split(' ').map(Number);
      resolve({ requests, rps: requests / (durationUs / 1e6), p50: p50Us / 1000, p99: p99Us / 1000, errors });
    });
  });
}
