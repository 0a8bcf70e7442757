// The SDK's framework wrappers (packages/sdk: the NestJS guard on Nest's Fastify platform, the
// Fastify plugin, the Express middleware on Node's http server, which is what it is written
// against) in front of the real verify service: every verify code answered as the forward-auth
// endpoint answers it, the principal handed to the handler, onDenied overriding, verify down.
// tarball test (test/sdk-tarball.e2e-spec.ts) runs the same with Express and Nest on Express.
import { Controller, Get, Module, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeywardVerifier, type VerifyResult } from '../packages/sdk/src';
import { keyward, principalOf, type KeywardDenial } from '../packages/sdk/src/express';
import { keywardPlugin } from '../packages/sdk/src/fastify';
import { KeywardGuard, KeywardModule, KeywardPrincipal, RequireScopeQuery, RequireScopes } from '../packages/sdk/src/nestjs';
import { closedPortUrl, EXPECTED_STATUS, keysForEveryCode, ROUTE_SCOPE, VERIFY_CODES, type SdkVerifyCode } from './sdk-support';
import { createTenant, type TestTenant } from './support/builders';
import { request } from './support/http-client';
import { createKey } from './support/key-builders';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';

/** onDenied of every app: /optional lets a request without a key through; /hidden answers 404 for any refusal. */
function onDenied(denial: KeywardDenial, req: { url?: string }): KeywardDenial | 'allow' | undefined {
  if (req.url?.startsWith('/optional') && denial.code === 'MISSING_KEY') return 'allow';
  if (req.url?.startsWith('/hidden'))
    return { ...denial, status: 404, headers: {}, body: { status: 404, code: 'NOT_FOUND', title: 'Not found' } };
  return undefined;
}

const answerOf = (principal: VerifyResult | null | undefined) => ({
  keyId: principal?.keyId ?? null,
  ownerId: principal?.ownerId ?? null,
  meta: principal?.meta ?? null,
});

describe('SDK: NestJS guard, Fastify plugin and Express middleware against the real verify service', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let tenant: TestTenant;
  let keys: Record<SdkVerifyCode, string>;
  let down: string;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    admin = await startAdminApi();
    verify = await startVerify();
    tenant = await createTenant(admin.url);
    const verifier = new KeywardVerifier({ baseUrl: verify.url, token: tenant.verifier });
    keys = await keysForEveryCode(admin.url, tenant, (key) => verifier.verify({ key, scopes: [ROUTE_SCOPE], ip: '127.0.0.1' }));
    await verifier.close();
    down = await closedPortUrl();
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await Promise.all([admin.close(), verify.close()]);
  });

  const verifierFor = (baseUrl: string) => {
    const verifier = new KeywardVerifier({ baseUrl, token: tenant.verifier });
    closers.push(() => verifier.close());
    return verifier;
  };

  /** The checks every wrapper passes, on an app serving /orders (ROUTE_SCOPE), /optional, /hidden and /query (a scopeQuery). */
  async function expectEveryCodeMapped(url: string): Promise<void> {
    for (const code of VERIFY_CODES) {
      const answer = await request(url, 'GET', '/orders', { headers: { authorization: `Bearer ${keys[code]}` } });
      expect({ code, status: answer.status }).toEqual({ code, status: EXPECTED_STATUS[code] });
      if (code === 'VALID') {
        expect(answer.body).toEqual({ keyId: expect.any(String), ownerId: 'customer-7', meta: { plan: 'pro' } });
        continue;
      }
      expect(answer.headers.get('keyward-code')).toBe(code);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ status: EXPECTED_STATUS[code], code });
      expect(JSON.stringify(answer.body)).not.toContain(keys[code]);
      if (EXPECTED_STATUS[code] === 401) expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      if (code === 'RATE_LIMITED') {
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(answer.headers.get('ratelimit')).toMatch(/r=0/);
        expect(answer.headers.get('ratelimit-policy')).toMatch(/q=1/);
      }
    }
    // X-API-Key as well as Bearer; no key at all is 401 with a bare Bearer challenge.
    expect((await request(url, 'GET', '/orders', { headers: { 'x-api-key': keys.VALID } })).status).toBe(200);
    const missing = await request(url, 'GET', '/orders');
    expect([missing.status, missing.headers.get('www-authenticate'), missing.body.code]).toEqual([401, 'Bearer', 'MISSING_KEY']);
    // onDenied: an optional key, and a refusal turned into another answer.
    expect(await request(url, 'GET', '/optional')).toMatchObject({ status: 200, body: { keyId: null } });
    expect((await request(url, 'GET', '/optional', { headers: { authorization: `Bearer ${keys.VALID}` } })).body.ownerId).toBe(
      'customer-7',
    );
    expect(await request(url, 'GET', '/hidden', { headers: { authorization: `Bearer ${keys.REVOKED}` } })).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    // A scope query: the VALID key has orders:read only.
    expect((await request(url, 'GET', '/query', { headers: { authorization: `Bearer ${keys.VALID}` } })).status).toBe(
      (await verifyServesScopeQuery()) ? 200 : 502,
    );
  }

  /** Whether this verify service takes scopeQuery (docs/api.md); before it does, a request with one is refused 400, which the wrappers answer 502. */
  async function verifyServesScopeQuery(): Promise<boolean> {
    const answer = await request(verify.url, 'POST', '/v1/verify', {
      token: tenant.verifier,
      body: { key: keys.VALID, scopeQuery: `${ROUTE_SCOPE} OR x` },
    });
    return answer.status === 200;
  }

  async function expectDownIs503(url: string): Promise<void> {
    const answer = await request(url, 'GET', '/orders', { headers: { authorization: `Bearer ${keys.VALID}` } });
    expect([answer.status, answer.body.code, answer.headers.get('keyward-code')]).toEqual([503, 'UNAVAILABLE', 'UNAVAILABLE']);
  }

  describe('NestJS guard (Fastify platform)', () => {
    async function nestApp(baseUrl: string): Promise<string> {
      @Controller()
      class OrdersController {
        @Get('orders')
        @RequireScopes(ROUTE_SCOPE)
        orders(@KeywardPrincipal() principal: VerifyResult) {
          return answerOf(principal);
        }

        @Get('optional')
        @RequireScopes()
        optional(@KeywardPrincipal() principal: VerifyResult | undefined) {
          return answerOf(principal);
        }

        @Get('hidden')
        @RequireScopes(ROUTE_SCOPE)
        hidden(@KeywardPrincipal('keyId') keyId: string) {
          return { keyId };
        }

        @Get('query')
        @RequireScopeQuery(`${ROUTE_SCOPE} OR orders:admin`)
        query(@KeywardPrincipal('keyId') keyId: string) {
          return { keyId };
        }
      }
      @Module({ imports: [KeywardModule.forRoot({ baseUrl, token: tenant.verifier, onDenied })], controllers: [OrdersController] })
      class AppModule {}
      const app: INestApplication = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
      await app.listen(0, '127.0.0.1');
      closers.push(() => app.close());
      return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    }

    it('maps every code, hands the principal to the handler and lets onDenied override', async () => {
      await expectEveryCodeMapped(await nestApp(verify.url));
    });

    it('answers 503 when verify is down', async () => {
      await expectDownIs503(await nestApp(down));
    });

    it('takes its options from forRootAsync', async () => {
      @Controller()
      class PingController {
        @Get('orders')
        @RequireScopes(ROUTE_SCOPE)
        ping(@KeywardPrincipal('ownerId') ownerId: string) {
          return { ownerId };
        }
      }
      @Module({
        imports: [KeywardModule.forRootAsync({ useFactory: async () => ({ baseUrl: verify.url, token: tenant.verifier }) })],
        controllers: [PingController],
      })
      class AsyncModule {}
      const app = await NestFactory.create(AsyncModule, new FastifyAdapter(), { logger: false });
      await app.listen(0, '127.0.0.1');
      closers.push(() => app.close());
      const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      expect((await request(url, 'GET', '/orders', { headers: { authorization: `Bearer ${keys.VALID}` } })).body).toEqual({
        ownerId: 'customer-7',
      });
      expect((await request(url, 'GET', '/orders', { headers: { authorization: `Bearer ${keys.INSUFFICIENT_SCOPE}` } })).status).toBe(403);
    });
    it('verifies once for a guard on the controller and a decorator on the method, with their scopes added up', async () => {
      @Controller()
      @UseGuards(KeywardGuard)
      @RequireScopes('orders:read')
      class BothController {
        @Get('orders')
        @RequireScopes('orders:write')
        orders(@KeywardPrincipal('remaining') remaining: number) {
          return { remaining };
        }
      }
      @Module({ imports: [KeywardModule.forRoot({ baseUrl: verify.url, token: tenant.verifier })], controllers: [BothController] })
      class BothModule {}
      const app = await NestFactory.create(BothModule, new FastifyAdapter(), { logger: false });
      await app.listen(0, '127.0.0.1');
      closers.push(() => app.close());
      const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      const both = await createKey(admin.url, tenant.admin, { scopes: ['orders:read', 'orders:write'], remaining: 5 });
      const readOnly = await createKey(admin.url, tenant.admin, { scopes: ['orders:read'] });
      expect((await request(url, 'GET', '/orders', { headers: { authorization: `Bearer ${both.key}` } })).body).toEqual({ remaining: 4 });
      // One charge per request: the next one finds 3 left.
      expect((await request(url, 'GET', '/orders', { headers: { authorization: `Bearer ${both.key}` } })).body).toEqual({ remaining: 3 });
      expect((await request(url, 'GET', '/orders', { headers: { authorization: `Bearer ${readOnly.key}` } })).status).toBe(403);
    });
  });

  describe('Fastify plugin', () => {
    async function fastifyApp(baseUrl: string): Promise<string> {
      const app: FastifyInstance = Fastify();
      await app.register(keywardPlugin, { verifier: verifierFor(baseUrl), onDenied });
      app.get('/orders', { config: { keyward: { scopes: [ROUTE_SCOPE] } } }, async (req) => answerOf(req.keyward));
      app.get('/optional', { config: { keyward: {} } }, async (req) => answerOf(req.keyward));
      app.get('/hidden', { config: { keyward: { scopes: [ROUTE_SCOPE] } } }, async (req) => answerOf(req.keyward));
      app.get('/query', { config: { keyward: { scopeQuery: `${ROUTE_SCOPE} OR orders:admin` } } }, async (req) => answerOf(req.keyward));
      app.get('/public', async () => ({ open: true }));
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    }

    it('maps every code, hands the principal to the handler and lets onDenied override; routes without config.keyward stay open', async () => {
      const url = await fastifyApp(verify.url);
      await expectEveryCodeMapped(url);
      expect(await request(url, 'GET', '/public')).toMatchObject({ status: 200, body: { open: true } });
    });

    it('answers 503 when verify is down', async () => {
      await expectDownIs503(await fastifyApp(down));
    });

    it('with requireKey: every route needs a key but those that opt out', async () => {
      const app = Fastify();
      await app.register(keywardPlugin, { verifier: verifierFor(verify.url), requireKey: true, defaults: { scopes: [ROUTE_SCOPE] } });
      app.get('/orders', async (req) => answerOf(req.keyward));
      app.get('/health', { config: { keyward: false } }, async () => ({ ok: true }));
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      expect((await request(url, 'GET', '/orders')).status).toBe(401);
      expect((await request(url, 'GET', '/orders', { headers: { authorization: `Bearer ${keys.INSUFFICIENT_SCOPE}` } })).status).toBe(403);
      expect((await request(url, 'GET', '/orders', { headers: { authorization: `Bearer ${keys.VALID}` } })).body.ownerId).toBe(
        'customer-7',
      );
      expect(await request(url, 'GET', '/health')).toMatchObject({ status: 200, body: { ok: true } });
    });
  });

  describe('Express middleware (on Node’s http server)', () => {
    async function nodeApp(baseUrl: string): Promise<string> {
      const verifier = verifierFor(baseUrl);
      const routes: Record<string, ReturnType<typeof keyward>> = {
        '/orders': keyward({ verifier, scopes: [ROUTE_SCOPE], onDenied }),
        '/optional': keyward({ verifier, onDenied }),
        '/hidden': keyward({ verifier, scopes: [ROUTE_SCOPE], onDenied }),
        '/query': keyward({ verifier, scopeQuery: `${ROUTE_SCOPE} OR orders:admin`, onDenied }),
      };
      const server: Server = createServer((req, res) => {
        const middleware = routes[req.url ?? ''];
        middleware(req, res, (error?: unknown) => {
          res.setHeader('content-type', 'application/json');
          if (error) {
            res.statusCode = 500;
            return res.end('{}');
          }
          const principal = req.url === '/optional' && !('keyward' in req) ? null : principalOf(req);
          res.end(JSON.stringify(answerOf(principal)));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      closers.push(() => new Promise((resolve) => server.close(resolve)));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }

    it('maps every code, hands the principal to the handler and lets onDenied override', async () => {
      await expectEveryCodeMapped(await nodeApp(verify.url));
    });

    it('answers 503 when verify is down', async () => {
      await expectDownIs503(await nodeApp(down));
    });
  });
});
