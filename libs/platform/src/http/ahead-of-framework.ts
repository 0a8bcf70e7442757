import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers a request itself and returns true, or returns false to leave it to the framework. */
export type AheadHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * A slot for a handler that sees every request before Fastify and Nest do: the verify hot route
 * is served there, without the framework's per-request pipeline, while every other route keeps
 * it. The slot is filled once the application (and so the handler's services) exists.
 */
export class AheadOfFramework {
  handler: AheadHandler | null = null;
}
