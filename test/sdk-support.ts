// What the SDK suites share: a key for every verify code (through the real admin API), the one
// scope the protected routes of those suites need, and a loopback HTTP server standing in for an
// unreachable or failing verify service (it stalls, answers 5xx, or passes requests on to the real
// one), recording what each request carried.
import { generateApiKey, VERIFY_CODES, type VerifyCode } from '@keyward/keys';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestTenant } from './support/builders';
import { client } from './support/http-client';
import { createKey } from './support/key-builders';

/** The scope the protected routes of the SDK suites require. */
export const ROUTE_SCOPE = 'orders:read';

/** Every verify code (docs/api.md, Verify codes): the SDK suites check each. */
export { VERIFY_CODES };
export type SdkVerifyCode = VerifyCode;

/** The answer every framework wrapper gives for each code (as the forward-auth endpoint maps them). */
export const EXPECTED_STATUS: Record<SdkVerifyCode, number> = {
  VALID: 200,
  MALFORMED: 401,
  NOT_FOUND: 401,
  REVOKED: 401,
  EXPIRED: 401,
  DISABLED: 401,
  IP_NOT_ALLOWED: 403,
  INSUFFICIENT_SCOPE: 403,
  RATE_LIMITED: 429,
  USAGE_EXCEEDED: 429,
};

/**
 * A key that verify answers with each code, for a call needing ROUTE_SCOPE from 127.0.0.1: the
 * state changes are made before any verification (so no cache holds the key), and the rate-limited
 * key has spent its one call per day through `spend`.
 */
export async function keysForEveryCode(
  adminUrl: string,
  tenant: TestTenant,
  spend: (key: string) => Promise<unknown>,
): Promise<Record<SdkVerifyCode, string>> {
  const admin = client(adminUrl, tenant.admin);
  const make = async (body: Record<string, unknown> = {}) =>
    (await createKey(adminUrl, tenant.admin, { scopes: [ROUTE_SCOPE], ...body })) as { id: string; key: string };
  const revoked = await make();
  expect((await admin.post(`/v1/keys/${revoked.id}/revoke`, {})).status).toBe(200);
  const rotated = await make();
  expect((await admin.post(`/v1/keys/${rotated.id}/rotate`, { gracePeriodSeconds: 0 })).status).toBe(201);
  const disabled = await make();
  expect((await admin.patch(`/v1/keys/${disabled.id}`, { enabled: false })).status).toBe(200);
  const limited = await make({ rateLimit: { limit: 1, windowSeconds: 86_400 } });
  await spend(limited.key);
  return {
    VALID: (await make({ ownerId: 'customer-7', meta: { plan: 'pro' } })).key,
    MALFORMED: 'kw_live_not-a-key',
    NOT_FOUND: generateApiKey('kw', 'live'),
    REVOKED: revoked.key,
    EXPIRED: rotated.key,
    DISABLED: disabled.key,
    IP_NOT_ALLOWED: (await make({ ipAllowlist: ['10.0.0.0/8'] })).key,
    INSUFFICIENT_SCOPE: (await make({ scopes: ['orders:write'] })).key,
    RATE_LIMITED: limited.key,
    USAGE_EXCEEDED: (await make({ remaining: 0 })).key,
  };
}

/** What the stub does with one request: hold it without answering, answer a status, or pass it on to `target`. */
export type StubBehaviour = { stall: true } | { status: number } | { forwardTo: string; holdAnswerMs?: number };

export interface LoopbackStub {
  url: string;
  /** The headers of every request received, in order. */
  requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** A loopback HTTP server that treats its n-th request as `behaviours[n]` (the last one for every later request). */
export async function loopbackStub(behaviours: StubBehaviour[]): Promise<LoopbackStub> {
  const requests: IncomingHttpHeaders[] = [];
  const stalled: ServerResponse[] = [];
  const server: Server = createServer((incoming, response) => {
    const behaviour = behaviours[Math.min(requests.length, behaviours.length - 1)];
    requests.push(incoming.headers);
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      if ('stall' in behaviour) {
        stalled.push(response);
        return;
      }
      if ('status' in behaviour) {
        response.writeHead(behaviour.status, { 'content-type': 'application/problem+json' });
        response.end(JSON.stringify({ status: behaviour.status, code: 'SERVICE_UNAVAILABLE' }));
        return;
      }
      const target = new URL(behaviour.forwardTo);
      const onward = httpRequest(
        { host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            // The service has decided (and charged); its answer is lost on the way when held past the caller's deadline.
            setTimeout(() => {
              if (response.destroyed) return;
              response.writeHead(answer.statusCode ?? 502, answer.headers);
              response.end(Buffer.concat(body));
            }, behaviour.holdAnswerMs ?? 0);
          });
        },
      );
      onward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const response of stalled) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (a server is opened on it and closed again). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
