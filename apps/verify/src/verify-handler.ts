// POST /v1/verify served ahead of the framework: the hot route reads, checks and answers on the
// bare node:http request, with the same problem errors, request ids and metrics as every other
// route, and none of the per-request machinery (Fastify hooks, Nest middleware) it does not need.
import { KEYWARD_CONFIG, Metrics, MalformedJsonError, DomainError, ValidationFailedError, requestIdFor, toProblem, writeProblem, type AheadHandler, type KeywardConfig } from '@keyward/platform';
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import Ajv from 'ajv';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { VerifierAuthenticator } from './verifier-authenticator';
import { VerifyMetrics } from './verify-metrics';
import { VERIFY_REQUEST_SCHEMA, type VerifyRequest } from './verify.schema';
import { VerifyService } from './verify.service';

const ROUTE = '/v1/verify';

class PayloadTooLargeError extends DomainError {
  constructor() {
    super('PAYLOAD_TOO_LARGE', 'The request body is larger than the limit.');
  }
}

class UnsupportedMediaTypeError extends DomainError {
  constructor() {
    super('UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/json.');
  }
}

function isVerifyRoute(request: IncomingMessage): boolean {
  if (request.method !== 'POST') return false;
  const url = request.url ?? '';
  const path = url.length === ROUTE.length ? url : url.split('?')[0];
  return path === ROUTE || path === `${ROUTE}/`;
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new PayloadTooLargeError());
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(new PayloadTooLargeError());
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function createVerifyHandler(app: INestApplication): AheadHandler {
  const config = app.get<KeywardConfig>(KEYWARD_CONFIG);
  const authenticator = app.get(VerifierAuthenticator);
  const verifyService = app.get(VerifyService);
  const verifyMetrics = app.get(VerifyMetrics);
  const httpMetrics = app.get(Metrics);
  const logger = new Logger('VerifyHandler');
  const durationByStatus = new Map<number, { observe(seconds: number): void }>();
  const observeHttp = (status: number, seconds: number): void => {
    let child = durationByStatus.get(status);
    if (!child) durationByStatus.set(status, (child = httpMetrics.httpRequestDuration.labels('POST', ROUTE, String(status))));
    child.observe(seconds);
  };
  const validate = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true }).compile<VerifyRequest>(VERIFY_REQUEST_SCHEMA);

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFor(request);
    try {
      const contentType = request.headers['content-type'];
      const raw = await readBody(request, config.bodyLimitBytes);
      // No body at all is a body without a key (400); a body of another type is 415.
      if (contentType === undefined && raw === '') throw new ValidationFailedError([{ field: 'body', message: 'must be a JSON object with a key string' }]);
      if (!/^application\/json\s*(;|$)/i.test(contentType ?? '')) throw new UnsupportedMediaTypeError();
      const verifier = authenticator.authenticate(request.headers.authorization);
      const principal = verifier instanceof Promise ? await verifier : verifier;
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw new MalformedJsonError();
      }
      if (!validate(body)) throw { validation: validate.errors ?? [], validationContext: 'body' };
      const outcome = await verifyService.verify(principal, body);
      const payload = JSON.stringify(outcome.body);
      response.writeHead(200, {
        ...outcome.headers,
        'x-request-id': requestId,
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(payload),
      });
      response.end(payload);
      verifyMetrics.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    } catch (error) {
      const mapped = toProblem(error, requestId);
      if (mapped.errorId) logger.error({ err: error, errorId: mapped.errorId, reqId: requestId }, 'Unexpected error in verify');
      const headers: Record<string, string> = { 'x-request-id': requestId };
      if (mapped.retryAfterSeconds !== undefined) headers['retry-after'] = String(mapped.retryAfterSeconds);
      if (!response.headersSent) writeProblem(response, mapped.problem, headers);
    } finally {
      observeHttp(response.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };

  return (request, response) => {
    if (!isVerifyRoute(request)) return false;
    void handle(request, response);
    return true;
  };
}
