// The bench's load generator (docs/benchmarks.md): wrk, driven by a script of the run's own, against
// a server of this test's on loopback. What the server saw must be what wrk reports: every request
// with the method, headers and body it was given (several bodies taken in turn), answers of 400 or
// more counted as errors.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wrkLoad } from '../bench/support/wrk-load';
import { requireOnMachine } from './support/machine-tools';

describe('wrk load (bench)', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    requireOnMachine('wrk', "it is npm run bench's load generator", 'wrk');
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
        response.writeHead(body.includes('refuse') ? 403 : 200, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/verify`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    seen.length = 0;
  });

  it('sends one body with the method and headers given, and reports what the server answered', async () => {
    const body = '{"key":"kw_test_\u00e9\\"quoted\\""}';
    const result = await wrkLoad({
      url,
      method: 'POST',
      headers: { authorization: 'Bearer token-1', 'content-type': 'application/json' },
      body,
      connections: 4,
      seconds: 1,
    });
    expect(result.errors).toBe(0);
    expect(result.requests).toBeGreaterThan(100);
    // wrk stops counting when its time is up; answers to requests in flight then may reach the server uncounted.
    expect(seen.length).toBeGreaterThanOrEqual(result.requests);
    expect(seen.length).toBeLessThanOrEqual(result.requests + 4);
    expect(result.rps).toBeGreaterThan(0);
    expect(result.p99).toBeGreaterThanOrEqual(result.p50);
    for (const request of seen) {
      expect(request).toMatchObject({ method: 'POST', url: '/v1/verify', body });
      expect(request.headers).toMatchObject({ authorization: 'Bearer token-1', 'content-type': 'application/json' });
    }
  });

  it('takes several bodies in turn, and counts answers of 400 or more as errors', async () => {
    const bodies = ['{"key":"a"}', '{"key":"b"}', '{"key":"refuse"}'];
    const result = await wrkLoad({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bodies,
      connections: 1,
      seconds: 1,
    });
    // One connection: the bodies arrive in turn (wrk asks for one request before it starts
    // sending, so the cycle may begin at any of them).
    const first = bodies.indexOf(seen[0].body);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(seen.slice(0, 9).map((request) => request.body)).toEqual(Array.from({ length: 9 }, (_, i) => bodies[(first + i) % 3]));
    const refused = seen.slice(0, result.requests).filter((request) => request.body.includes('refuse')).length;
    expect(result.errors).toBe(refused);
    expect(refused).toBeGreaterThan(0);
  });

  it('sends a GET without a body', async () => {
    await wrkLoad({ url, method: 'GET', headers: { 'x-api-key': 'k' }, body: '', connections: 1, seconds: 1 });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((request) => request.method === 'GET' && request.body === '' && request.headers['x-api-key'] === 'k')).toBe(true);
  });
});
