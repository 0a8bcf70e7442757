// What both HTTP services share at boot: Fastify with strict JSON parsing, request ids, problem
// errors, validation, metrics per route, OpenAPI and graceful shutdown.
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { KeywardConfig } from '../config/keyward-config';
import { MalformedJsonError } from '../errors/domain-error';
import { ProblemFilter } from '../errors/problem.filter';
import { Metrics } from '../metrics/metrics';
import { requestIdFor } from './request-id';
import { createValidationPipe } from './validation.pipe';

export async function createHttpApp(module: Type<unknown> | object, config: KeywardConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: requestIdFor,
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
    // Schemas reject what they don't describe: no silent stripping of unknown fields, no coercion.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: true } },
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as Type<unknown>, adapter, {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  // JSON is the only body the services read; anything else is refused with 415 by Fastify.
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: config.bodyLimitBytes }, (request, body, done) =>
    parseJson(request, body as string, (error, parsed) => (error ? done(new MalformedJsonError(), undefined) : done(null, parsed))),
  );

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
