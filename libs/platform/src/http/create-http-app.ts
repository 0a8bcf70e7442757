// What both HTTP services share at boot: Fastify with strict JSON parsing, request ids, problem
// errors, validation, metrics per route, OpenAPI and graceful shutdown.
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import type { KeywardConfig } from '../config/keyward-config';
import { MalformedJsonError, NotFoundError, ValidationFailedError } from '../errors/domain-error';
import { ProblemFilter, sendProblem } from '../errors/problem.filter';
import { toProblem } from '../errors/to-problem';
import { Readiness } from '../health/readiness';
import { Metrics } from '../metrics/metrics';
import { createServer, ServerResponse, type IncomingMessage } from 'node:http';
import type { AheadOfFramework } from './ahead-of-framework';
import { answerClientError } from './client-error';
import { assertJsonInput, assertJsonTextDepth, assertUtf8, queryProblems } from './json-input';
import { rawJsonBodyOf } from './raw-json-body';
import { requestIdFor } from './request-id';
import { createValidationPipe } from './validation.pipe';

export interface HttpAppOptions {
  /** Requests this handler takes are answered without the framework (see AheadOfFramework). */
  ahead?: AheadOfFramework;
}

export async function createHttpApp(
  module: Type<unknown> | object,
  config: KeywardConfig,
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const { ahead } = options;
  // Set once the app exists (below); read by the response hook, which the adapter needs first.
  const state: { readiness?: Readiness } = {};
  const adapter = new FastifyAdapter({
    serverFactory: (handler: (request: IncomingMessage, response: ServerResponse) => void) => {
      // Once a graceful stop begins (draining, then no longer listening), every answer closes its
      // connection. Clients and L4 balancers keep a kept-alive connection on this process however
      // /readyz answers, and an idle one that close() ends may just have been picked for the next
      // request; a closed connection sends the client's next request to a fresh connection, which
      // a balancer routes to a process that is ready. A busy connection would otherwise also keep
      // the process until the grace period ran out and cut whatever request was in flight then.
      class ClosingAwareResponse extends ServerResponse {
        override writeHead(...args: unknown[]): this {
          if ((!server.listening || state.readiness?.isStopping) && !this.headersSent) this.setHeader('connection', 'close');
          return (ServerResponse.prototype.writeHead as (...headArgs: unknown[]) => this).apply(this, args);
        }
      }
      const server = createServer({ ServerResponse: ClosingAwareResponse }, (request, response) => {
        if (ahead?.handler?.(request, response)) return;
        handler(request, response);
      });
      return server;
    },
    genReqId: requestIdFor,
    requestIdHeader: false,
    // What node's HTTP parser refuses before any request exists (headers too large, a malformed
    // request line, a bad Content-Length, a request that took too long to arrive) is answered as
    // problem+json with a request id, like every other error (docs/input-validation.md).
    clientErrorHandler: answerClientError,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A path id may be up to 200 characters (an owner id, docs/api.md), percent-encoded up to 600;
    // Fastify's default limit is 100.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    // Schemas reject what they don't describe: no silent stripping of unknown fields, no coercion.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: true } },
    // Errors the router raises before any route or hook runs: a path that is not valid percent-encoded
    // UTF-8, or a path parameter over the length limit, names no resource (docs/api.md, Conventions: 404, as problem+json).
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const pathIsUnreadable = error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      reply.header('x-request-id', request.id);
      sendProblem(reply, toProblem(pathIsUnreadable ? new NotFoundError('The resource') : error, String(request.id)));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as Type<unknown>, adapter, {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  state.readiness = app.get(Readiness);
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  // JSON is the only body the services read; anything else is refused with 415 by Fastify. The
  // bytes must be UTF-8, and the parsed value is checked for depth and NUL characters at once,
  // before any recursive processing (docs/input-validation.md).
  // A RawJsonBody route gets the bytes as they arrived, under its own body limit, and runs the same
  // checks itself once it has checked their signature (raw-json-body.ts).
  fastify.removeAllContentTypeParsers();
  fastify.addHook('onRoute', (route) => {
    const raw = rawJsonBodyOf(route.config);
    if (raw) route.bodyLimit = raw.bodyLimit;
  });
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: config.bodyLimitBytes }, (request, body, done) => {
    if (rawJsonBodyOf(request.routeOptions.config)) return done(null, body);
    try {
      assertUtf8(body as Buffer);
      assertJsonTextDepth(body as Buffer);
    } catch (error) {
      return done(error as Error, undefined);
    }
    void parseJson(request, (body as Buffer).toString('utf8'), (error, parsed) => {
      if (error) return done(new MalformedJsonError(), undefined);
      try {
        assertJsonInput(parsed);
      } catch (refused) {
        return done(refused as Error, undefined);
      }
      done(null, parsed);
    });
  });

  // A query parameter given twice, or with NUL in it, is refused before any route reads it (an
  // unknown path stays 404 whatever its query).
  fastify.addHook('preValidation', async (request) => {
    if (request.routeOptions.url === undefined) return;
    const problems = queryProblems(request.query);
    if (problems.length > 0) throw new ValidationFailedError(problems);
  });

  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const metrics = app.get(Metrics);
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.httpRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  return app;
}
