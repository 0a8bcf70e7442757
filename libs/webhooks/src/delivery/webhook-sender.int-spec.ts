import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { isLoopbackAddress, NOT_LOOPBACK_REASON, WebhookSender } from './webhook-sender';

/** A local HTTP server that records requests and answers as the test says. */
async function serve(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.headers.host} ${request.url}`);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

const sender = new WebhookSender();
const HEADERS = { 'content-type': 'application/json', 'webhook-id': 'msg_1' };

describe('webhook sender', () => {
  it('connects to the checked address, not to what the name resolves to now, and sends the body as given', async () => {
    let received = '';
    const { server, port, requests } = await serve((request, response) => {
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (received += chunk));
      request.on('end', () => response.writeHead(204).end());
    });
    try {
      // .invalid never resolves (RFC 6761): only the pinned address can have been used.
      const url = new URL(`http://receiver.invalid:${port}/in?team=7`);
      const result = await sender.post({ url, addresses: ['127.0.0.1'], headers: HEADERS, body: '{"é":1}', timeoutMs: 5000 });

      expect(result).toEqual({ answered: true, statusCode: 204 });
      expect(requests).toEqual([`POST receiver.invalid:${port} /in?team=7`]);
      expect(received).toBe('{"é":1}');
    } finally {
      await stop(server);
    }
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    const { server, port, requests } = await serve((_request, response) => response.writeHead(302, { location: '/elsewhere' }).end());
    try {
      const result = await sender.post({
        url: new URL(`http://127.0.0.1:${port}/in`),
        addresses: null,
        headers: HEADERS,
        body: '{}',
        timeoutMs: 5000,
      });

      expect(result).toEqual({ answered: true, statusCode: 302 });
      expect(requests).toHaveLength(1);
    } finally {
      await stop(server);
    }
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const { server, port } = await serve(() => undefined);
    try {
      const started = Date.now();
      const result = await sender.post({
        url: new URL(`http://127.0.0.1:${port}/in`),
        addresses: null,
        headers: HEADERS,
        body: '{}',
        timeoutMs: 300,
      });

      expect(result).toEqual({ answered: false, reason: 'timed out after 0.3 s' });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await stop(server);
    }
  });

  it('names a connection failure by its code, without the address', async () => {
    const { server, port } = await serve(() => undefined);
    await stop(server);

    const result = await sender.post({
      url: new URL(`http://127.0.0.1:${port}/in`),
      addresses: null,
      headers: HEADERS,
      body: '{}',
      timeoutMs: 5000,
    });

    expect(result).toEqual({ answered: false, reason: 'connection failed (ECONNREFUSED)' });
  });
});

describe('webhook sender confined to loopback (KEYWARD_WEBHOOK_LOOPBACK_ONLY)', () => {
  const confined = new WebhookSender({ loopbackOnly: true });
  // Addresses that must be refused are documentation (192.0.2.0/24, 2001:db8::/32), private or
  // unspecified ones: even a broken guard would send nothing off the machine.
  const refusedTargets: Array<[string, URL, string[] | null]> = [
    ['a literal documentation address', new URL('http://192.0.2.1:9/in'), null],
    ['a literal private address', new URL('http://10.255.255.1:9/in'), null],
    ['0.0.0.0, which reaches this host', new URL('http://0.0.0.0:9/in'), null],
    ['a literal IPv6 documentation address', new URL('http://[2001:db8::1]:9/in'), null],
    ['an IPv4-mapped documentation address', new URL('http://[::ffff:192.0.2.1]:9/in'), null],
    ['a name pinned to a documentation address', new URL('http://receiver.invalid:9/in'), ['192.0.2.1']],
    ['a name pinned to loopback and to another address', new URL('http://receiver.invalid:9/in'), ['127.0.0.1', '192.0.2.1']],
    ['https to a literal documentation address', new URL('https://192.0.2.1:9/in'), null],
    ['https to a name pinned to a documentation address', new URL('https://receiver.invalid:9/in'), ['2001:db8::1']],
  ];

  /** Every TCP connection attempt (node's `connectionAttempt` socket event): the address of each. */
  let emit: jest.SpyInstance;
  const attempts = (): unknown[] => emit.mock.calls.filter(([event]) => event === 'connectionAttempt').map(([, address]) => address);
  beforeEach(() => {
    emit = jest.spyOn(Socket.prototype, 'emit');
  });
  afterEach(() => emit.mockRestore());

  it.each(refusedTargets)('refuses %s without attempting a connection, and says why', async (_case, url, addresses) => {
    const result = await confined.post({ url, addresses, headers: HEADERS, body: '{}', timeoutMs: 2000 });

    expect(result).toEqual({ answered: false, refused: true, reason: NOT_LOOPBACK_REASON });
    expect(attempts()).toEqual([]);
  });

  it('delivers to a loopback address, literal, pinned or resolved', async () => {
    const { server, port, requests } = await serve((_request, response) => response.writeHead(204).end());
    try {
      for (const [url, addresses] of [
        [new URL(`http://127.0.0.1:${port}/a`), null],
        [new URL(`http://receiver.invalid:${port}/b`), ['127.0.0.1']],
        [new URL(`http://localhost:${port}/c`), null],
      ] as const) {
        const result = await confined.post({
          url,
          addresses: addresses ? [...addresses] : null,
          headers: HEADERS,
          body: '{}',
          timeoutMs: 5000,
        });
        expect([url.href, result]).toEqual([url.href, { answered: true, statusCode: 204 }]);
      }
      expect(requests).toHaveLength(3);
      expect(attempts().length).toBeGreaterThanOrEqual(3);
      for (const address of attempts()) expect(isLoopbackAddress(String(address))).toBe(true);
    } finally {
      await stop(server);
    }
  });

  it('lets https reach a loopback address (the handshake with a plain server fails, but the socket was allowed)', async () => {
    const { server, port } = await serve(() => undefined);
    try {
      const result = await confined.post({
        url: new URL(`https://127.0.0.1:${port}/in`),
        addresses: null,
        headers: HEADERS,
        body: '{}',
        timeoutMs: 2000,
      });

      expect(result).toMatchObject({ answered: false });
      expect(result).not.toHaveProperty('refused');
      expect(attempts()).toEqual(['127.0.0.1']);
    } finally {
      await stop(server);
    }
  });

  it('calls 127/8, ::1 and IPv4-mapped loopback loopback, and nothing else', () => {
    for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1'])
      expect([address, isLoopbackAddress(address)]).toEqual([address, true]);
    for (const address of ['0.0.0.0', '::', '10.0.0.1', '192.0.2.1', '2001:db8::1', 'localhost', '', '::ffff:10.0.0.1'])
      expect([address, isLoopbackAddress(address)]).toEqual([address, false]);
  });
});
