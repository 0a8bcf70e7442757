// A webhook receiver on 127.0.0.1, as a tenant would run one, and the check a receiver makes of
// each delivery with the Standard Webhooks library (docs/api.md, Webhooks).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver does with a request to a path: answer a status (after a delay) or never answer. */
export type Answer = number | 'hang';

/**
 * A webhook receiver on 127.0.0.1, as a tenant would run one: it records every request and answers
 * what each path was told to (200 by default; a list is answered in order, its last entry repeats).
 */
export class Receiver {
  readonly received: Received[] = [];
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      this.received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      this.answer(path, response);
    });
  });
  private readonly scripts = new Map<string, Answer[]>();
  private readonly delays = new Map<string, number>();

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** A fresh path on this receiver, answering `answers` in order (the last one repeats). */
  path(answers: Answer[] = [200], delayMs = 0): string {
    const path = `/hooks/${randomUUID()}`;
    this.scripts.set(path, [...answers]);
    this.delays.set(path, delayMs);
    return path;
  }

  url(path: string, host = '127.0.0.1'): string {
    return `http://${host}:${this.port}${path}`;
  }

  at(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }

  private answer(path: string, response: ServerResponse): void {
    const script = this.scripts.get(path) ?? [200];
    const answer = script.length > 1 ? script.shift()! : script[0];
    if (answer === 'hang') return;
    setTimeout(() => response.writeHead(answer, { 'content-type': 'text/plain' }).end('thanks'), this.delays.get(path) ?? 0);
  }
}

/** Verifies a received request exactly as a receiver would, with the Standard Webhooks library. */
export function verified(secret: string, request: Received): any {
  return new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
}
