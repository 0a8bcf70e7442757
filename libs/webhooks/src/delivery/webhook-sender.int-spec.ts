import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookSender } from './webhook-sender';

/** A local HTTP server that records requests and answers as the test says. */
async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; port: number; requests: string[] }> {
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
      const result = await sender.post({ url: new URL(`http://127.0.0.1:${port}/in`), addresses: null, headers: HEADERS, body: '{}', timeoutMs: 5000 });

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
      const result = await sender.post({ url: new URL(`http://127.0.0.1:${port}/in`), addresses: null, headers: HEADERS, body: '{}', timeoutMs: 300 });

      expect(result).toEqual({ answered: false, reason: 'timed out after 0.3 s' });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await stop(server);
    }
  });

  it('names a connection failure by its code, without the address', async () => {
    const { server, port } = await serve(() => undefined);
    await stop(server);

    const result = await sender.post({ url: new URL(`http://127.0.0.1:${port}/in`), addresses: null, headers: HEADERS, body: '{}', timeoutMs: 5000 });

    expect(result).toEqual({ answered: false, reason: 'connection failed (ECONNREFUSED)' });
  });
});
