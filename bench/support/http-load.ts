// The load the benchmarks put on a service: wrk for as many requests as the service answers in a
// time (req/s and latency), autocannon where the load is capped at a rate or a number of requests
// (wrk has neither), and one request per body over keep-alive connections (to touch each of many
// keys once).
import autocannon, { type Request } from 'autocannon';
import { Agent, request } from 'node:http';
import { wrkLoad } from './wrk-load';

export const CONNECTIONS = 50;

export interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Requests answered, 2xx or not. */
  requests: number;
}

export async function post(url: string, token: string, body: unknown, method = 'POST'): Promise<any> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

export function put(url: string, token: string, body: unknown): Promise<any> {
  return post(url, token, body, 'PUT');
}

/**
 * POSTs `body` (or sends `method` with `headers` instead of the bearer token) with CONNECTIONS connections, for `seconds` (with wrk) or, with `amount`, until that many
 * requests are answered; `rate` caps the requests per second across all connections. Given several
 * bodies, the requests take them in turn across all connections (the next request, whichever
 * connection sends it, takes the next body).
 */
export function load(
  url: string,
  token: string,
  body: string | readonly string[],
  options: { seconds?: number; amount?: number; rate?: number; method?: string; headers?: Record<string, string> },
): Promise<Sample> {
  const headers = options.headers ?? { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  if (options.seconds !== undefined && options.amount === undefined && options.rate === undefined) {
    return wrkLoad({ url, method: options.method ?? 'POST', headers, body, connections: CONNECTIONS, seconds: options.seconds });
  }
  let next = 0;
  const inTurn =
    typeof body === 'string'
      ? {}
      : { requests: [{ setupRequest: (request: Request): Request => ({ ...request, body: body[next++ % body.length] }) }] };
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: (options.method ?? 'POST') as 'POST',
        connections: CONNECTIONS,
        // autocannon refuses an undefined duration rather than defaulting it.
        ...(options.seconds !== undefined && { duration: options.seconds }),
        ...(options.amount !== undefined && { amount: options.amount }),
        overallRate: options.rate,
        headers,
        body: typeof body === 'string' ? body || undefined : body[0],
        ...inTurn,
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        resolve({
          rps: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.non2xx + result.errors + result.timeouts,
          requests: result.requests.total,
        });
      },
    );
  });
}

/**
 * POSTs each body once, `concurrency` at a time over as many keep-alive connections (autocannon
 * repeats one sequence per connection, so it cannot spread a million distinct bodies over 50), and
 * counts the answers' `code`s; `onAnswer` hears of each answer as it comes.
 */
export async function postEach(
  url: string,
  token: string,
  bodies: readonly string[],
  concurrency: number,
  onAnswer: (index: number, code: string) => void = () => undefined,
): Promise<Map<string, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const codes = new Map<string, number>();
  const send = (body: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const outgoing = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve(
              response.statusCode === 200
                ? (JSON.parse(Buffer.concat(chunks).toString('utf8')).code as string)
                : `HTTP ${response.statusCode}`,
            ),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const index = next++;
      const code = await send(bodies[index]);
      codes.set(code, (codes.get(code) ?? 0) + 1);
      onAnswer(index, code);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return codes;
}
