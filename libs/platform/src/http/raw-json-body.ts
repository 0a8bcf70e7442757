// A route that reads its JSON body as the bytes that arrived (docs/secret-scanning.md): its caller
// signs those bytes, so the handler checks the signature over them first and only then parses
// them, with the checks every other JSON body gets before any route sees it (json-input.ts).
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { MalformedJsonError } from '../errors/domain-error';
import { assertJsonInput, assertJsonTextDepth, assertUtf8, type JsonInputOptions } from './json-input';

export interface RawJsonBodyOptions {
  /** The route's own body limit in bytes, in place of BODY_LIMIT_BYTES. */
  readonly bodyLimit: number;
}

interface RawJsonBodyConfig {
  readonly rawJsonBody?: RawJsonBodyOptions;
}

/** Marks a route whose handler receives its JSON body as a Buffer (see parseJsonBody). */
export const RawJsonBody = (options: RawJsonBodyOptions): MethodDecorator => RouteConfig({ rawJsonBody: options });

/** The raw-body options of a route's config (Fastify's `config` route option), if it has them. */
export function rawJsonBodyOf(config: unknown): RawJsonBodyOptions | undefined {
  return (config as RawJsonBodyConfig | undefined)?.rawJsonBody;
}

/** The body of a RawJsonBody route as it arrived, or an empty Buffer when there was none. */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/** Parses raw JSON bytes with the checks of every other JSON body: UTF-8, depth, NUL, size in values. */
export function parseJsonBody(body: Buffer, options?: JsonInputOptions): unknown {
  assertUtf8(body);
  assertJsonTextDepth(body, options?.maxDepth);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new MalformedJsonError();
  }
  assertJsonInput(parsed, options);
  return parsed;
}
