import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import canonicalize from 'canonicalize';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DocumentBuilder,
  SwaggerModule,
  type HeaderObject,
  type OpenAPIObject,
  type OperationObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { ALLOWED_AUDIENCES, type Audience } from '../auth/access';
import { IS_PUBLIC } from '../auth/public.decorator';
import {
  BEARER_SCHEMES,
  OPENAPI_HEADER_REFS,
  OPENAPI_HEADERS,
  PLATFORM_OPERATOR_AUTH,
  PROBLEM_SCHEMA,
  TENANT_CREDENTIAL_AUTH,
  type BearerSchemeName,
} from './openapi-components';

export * from './api-idempotency-key';
export * from './openapi-components';

export interface OpenApiOptions {
  title: string;
  /** The document's description (CommonMark). */
  description: string;
  /** The tags the operations use, in the order readers see them, each with who it is for. */
  tags: ReadonlyArray<{ name: string; description: string }>;
  /** The bearer schemes this port accepts. */
  schemes: readonly BearerSchemeName[];
  /** Adds what Nest does not scan (routes served ahead of the framework). */
  extend?: (document: OpenAPIObject) => void;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Every operation of the document, with its path and method. */
export function operationsOf(document: OpenAPIObject): Array<{ path: string; method: string; operation: OperationObject }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item[method] !== undefined).map((method) => ({ path, method, operation: item[method]! })),
  );
}

/** `v1/keys` + `:keyId/usage` -> `/v1/keys/{keyId}/usage`, as the document names the route. */
function documentPath(...parts: unknown[]): string {
  const segments = parts.flatMap((part) => (typeof part === 'string' ? part.split('/') : [])).filter(Boolean);
  return `/${segments.join('/')}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function callersOf(audiences: readonly Audience[]): string {
  const roles = audiences.filter((audience) => audience !== 'platform').map((role) => `\`${role}\``);
  const who = [
    ...(audiences.includes('platform') ? ['the platform operator'] : []),
    ...(roles.length > 0 ? [`tenant credentials with the role ${roles.join(' or ')}`] : []),
  ];
  return who.length > 0 ? who.join(', and ') : 'nobody';
}

/**
 * Who may call each operation, read from the routes' own `@Allow`/`@Public` (what AccessGuard
 * enforces): the operation's security schemes, and a line that names the callers at the end of
 * its description. The document cannot say other than what the guards do.
 */
function describeAccess(app: NestFastifyApplication, document: OpenAPIObject): void {
  const reflector = new Reflector();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = name === 'constructor' ? undefined : prototype[name];
        if (typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const path: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        if (method === undefined || path === undefined) continue;
        const item = document.paths[documentPath(Reflect.getMetadata(PATH_METADATA, controller), path)];
        const operation = item?.[RequestMethod[method].toLowerCase() as (typeof HTTP_METHODS)[number]];
        if (!operation) continue; // excluded from the document
        const targets = [handler, controller];
        if (reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
          operation.security = [];
          continue;
        }
        const audiences = reflector.getAllAndOverride<Audience[]>(ALLOWED_AUDIENCES, targets) ?? [];
        operation.security = [
          ...(audiences.includes('platform') ? [{ [PLATFORM_OPERATOR_AUTH]: [] }] : []),
          ...(audiences.some((audience) => audience !== 'platform') ? [{ [TENANT_CREDENTIAL_AUTH]: [] }] : []),
        ];
        operation.description = `${operation.description ?? ''}\n\nCallers: ${callersOf(audiences)}.`.trim();
      }
    }
  }
}

/** Every answer carries X-Request-Id (docs/api.md): each response says so. */
function addRequestIdHeaders(document: OpenAPIObject): void {
  for (const { operation } of operationsOf(document)) {
    for (const response of Object.values(operation.responses)) {
      if (!response || '$ref' in response) continue;
      response.headers = { 'X-Request-Id': OPENAPI_HEADER_REFS['X-Request-Id'], ...(response.headers ?? {}) };
    }
  }
}

const pascalCase = (text: string): string =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1).toLowerCase())
    .join('');

/**
 * Moves each problem answer that several operations give word for word to components.responses,
 * so that the document says it once (every route shares 401, 403, 429 and 503). A response is
 * named after its codes (`ForbiddenOrTenantSuspended`); where answers with the same codes differ
 * (a 404 of keys, another of tenants), after the one tag their operations share (`KeysNotFound`),
 * else with a number.
 */
function shareRepeatedResponses(document: OpenAPIObject): void {
  const uses = new Map<
    string,
    { response: ResponseObject; codes: string[]; places: Array<{ operation: OperationObject; status: string }> }
  >();
  for (const { operation } of operationsOf(document)) {
    for (const [status, response] of Object.entries(operation.responses)) {
      const problem = response && !('$ref' in response) ? response.content?.['application/problem+json'] : undefined;
      if (!problem?.examples) continue;
      const text = canonicalize(response)!;
      const use = uses.get(text) ?? { response: response as ResponseObject, codes: Object.keys(problem.examples), places: [] };
      use.places.push({ operation, status });
      uses.set(text, use);
    }
  }
  const shared = [...uses.values()].filter((use) => use.places.length > 1);
  const baseName = (use: (typeof shared)[number]): string => use.codes.map(pascalCase).join('Or');
  const names = new Set<string>();
  const responses: Record<string, ResponseObject> = {};
  for (const use of shared) {
    const base = baseName(use);
    let name = base;
    if (shared.filter((other) => baseName(other) === base).length > 1) {
      const tags = new Set(use.places.map(({ operation }) => operation.tags?.[0] ?? ''));
      name = tags.size === 1 ? `${pascalCase([...tags][0])}${base}` : base;
      for (let n = 2; names.has(name); n++) name = `${base}${n}`;
    }
    names.add(name);
    responses[name] = use.response;
    for (const { operation, status } of use.places) operation.responses[status] = { $ref: `#/components/responses/${name}` };
  }
  if (shared.length > 0) document.components = { ...document.components, responses: { ...document.components?.responses, ...responses } };
}

/**
 * The port's OpenAPI document, built from the code: Nest's scan of the controllers and their DTOs,
 * what `extend` adds, and the parts both ports share (bearer schemes, Problem, headers, callers).
 * docs/openapi/*.json hold the documents as committed; `npm run openapi` writes them again.
 */
export function buildOpenApiDocument(app: NestFastifyApplication, options: OpenApiOptions): OpenAPIObject {
  const builder = new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion('1');
  for (const tag of options.tags) builder.addTag(tag.name, tag.description);
  for (const scheme of options.schemes) builder.addBearerAuth({ ...BEARER_SCHEMES[scheme] }, scheme);
  const document = SwaggerModule.createDocument(app, builder.build());
  delete document.servers;
  delete document.info.contact;
  document.components = {
    ...document.components,
    schemas: { ...(document.components?.schemas ?? {}), Problem: PROBLEM_SCHEMA as unknown as SchemaObject },
    headers: { ...(document.components?.headers ?? {}), ...(OPENAPI_HEADERS as unknown as Record<string, HeaderObject>) },
  };
  describeAccess(app, document);
  options.extend?.(document);
  addRequestIdHeaders(document);
  shareRepeatedResponses(document);
  return document;
}

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
 * Builds the port's OpenAPI document (buildOpenApiDocument) and serves it at /openapi.json, with
 * Swagger UI at /docs. The UI's files come from swagger-ui-dist and are served by plain routes: no
 * static-file plugin, and nothing fetched from outside at run time.
 */
export function setUpOpenApi(app: NestFastifyApplication, options: OpenApiOptions): OpenAPIObject {
  const document = buildOpenApiDocument(app, options);
  const fastify = app.getHttpAdapter().getInstance();
  const assetsDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const assets = Object.fromEntries(Object.keys(SWAGGER_UI_ASSETS).map((name) => [name, readFileSync(join(assetsDir, name))]));
  fastify.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(document));
  fastify.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(docsPage(options.title)));
  fastify.get('/docs/init.js', async (_request, reply) => reply.type('application/javascript; charset=utf-8').send(DOCS_INIT));
  for (const [name, contentType] of Object.entries(SWAGGER_UI_ASSETS)) {
    fastify.get(`/docs/${name}`, async (_request, reply) =>
      reply.type(contentType).header('cache-control', 'public, max-age=86400').send(assets[name]),
    );
  }
  return document;
}
