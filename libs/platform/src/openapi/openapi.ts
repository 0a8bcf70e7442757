import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dirname } from 'node:path';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_CODES } from '../errors/problem-codes';

/** The problem+json schema every error response refers to, with every code the services use. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', example: 'urn:keyward:problem:validation-failed' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: [...PROBLEM_CODES] },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const;

const SWAGGER_UI_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
};

function docsPage(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;
}

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });`;

/**
 * Builds the port's OpenAPI document from the code and serves it at /openapi.json, with Swagger UI
 * at /docs. The UI's files come from swagger-ui-dist and are served by plain routes: no static-file
 * plugin, and nothing fetched from outside at run time.
 */
export function setUpOpenApi(
  app: NestFastifyApplication,
  title: string,
  description: string,
  extend?: (doc: OpenAPIObject) => void,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(title)
    .setDescription(description)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Platform operator token or tenant credential (kwc_...)' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = document.components ?? {};
  document.components.schemas = { ...(document.components.schemas ?? {}), Problem: PROBLEM_SCHEMA as never };
  extend?.(document);

  const fastify = app.getHttpAdapter().getInstance();
  const assetsDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const assets = Object.fromEntries(Object.keys(SWAGGER_UI_ASSETS).map((name) => [name, readFileSync(join(assetsDir, name))]));
  fastify.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(document));
  fastify.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(docsPage(title)));
  fastify.get('/docs/init.js', async (_request, reply) => reply.type('application/javascript; charset=utf-8').send(DOCS_INIT));
  for (const [name, contentType] of Object.entries(SWAGGER_UI_ASSETS)) {
    fastify.get(`/docs/${name}`, async (_request, reply) =>
      reply.type(contentType).header('cache-control', 'public, max-age=86400').send(assets[name]),
    );
  }
  return document;
}
