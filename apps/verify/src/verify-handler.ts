// POST /v1/verify served ahead of the framework: the hot route reads, checks and answers on the
// bare node:http request, with the same problem errors, request ids and metrics as every other
// route, and none of the per-request machinery (Fastify hooks, Nest middleware) it does not need.
import {
  KEYWARD_CONFIG,
  Metrics,
  MalformedJsonError,
  DomainError,
  ValidationFailedError,
  assertJsonInput,
  assertJsonTextDepth,
  assertUtf8,
  requestIdFor,
  requestTracer,
  toProblem,
  writeProblem,
  type AheadHandler,
  type KeywardConfig,
} from '@keyward/platform';
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import Ajv, { type ErrorObject } from 'ajv';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AnswerBursts } from './answer-bursts';
import { httpDurationObserver } from './http-duration';
import { PrincipalSigner } from './principal-signer';
import { VerifierAuthenticator, type VerifierPrincipal } from './verifier-authenticator';
import { VerifyMetrics } from './verify-metrics';
import { VERIFY_REQUEST_SCHEMA, type VerifyRequest } from './verify.schema';
import type { VerifyOutcome } from './verify-answer';
import { retryOf } from './verify-retry';
import { VerifyService } from './verify.service';

const ROUTE = '/v1/verify';

class PayloadTooLargeError extends DomainError {
  constructor() {
    super('PAYLOAD_TOO_LARGE', 'The request body is larger than the limit.');
  }
}

/**
 * The request stream failed before its end: the client went away mid-body, or node's parser
 * refused what followed (a bad chunk, a body shorter than its Content-Length). The parser's own
 * answer, if any, is written by the client-error handler (docs/input-validation.md); this is no
 * fault of the service, so it is a 400 and not logged as an unexpected error.
 */
class BodyCutOffError extends DomainError {
  constructor() {
    super('BAD_REQUEST', 'The request body could not be read to its end.');
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

/**
 * The body nearly every caller sends, `{"key":"<key>"}` with a key of letters, digits, `_` and
 * `-`, read without the JSON parser and the schema: for such a string both would give exactly
 * `{ key }` (no escape can occur in it). Any other body, spaced or with more fields, takes the
 * general path. In a profile under load the expression took 1.4 % of a warm verification's CPU,
 * where the parser and the schema had taken 2.5 %.
 */
const KEY_ONLY_BODY = /^\{"key":"([\w-]{1,512})"\}$/;

export function keyOnlyBody(raw: string): VerifyRequest | null {
  const match = KEY_ONLY_BODY.exec(raw);
  return match ? { key: match[1] } : null;
}

const EMPTY = Buffer.alloc(0);

/** A VALID outcome with its signed principal, in the header and as the last field of the JSON. */
function withPrincipal(outcome: VerifyOutcome, token: string): VerifyOutcome {
  return {
    json: `${outcome.json.slice(0, -1)},"principal":"${token}"}`,
    headers: { ...outcome.headers, 'keyward-principal': token },
    code: outcome.code,
    key: outcome.key,
  };
}

/** A body its schema refused, shaped as the framework's schema errors, which the one error mapping names the field of. */
class BodySchemaError extends Error {
  readonly validationContext = 'body';

  constructor(readonly validation: ErrorObject[]) {
    super('The request body does not match its schema.');
  }
}

/**
 * Reads the body and hands it to `done` once, as a string and as the bytes it was decoded from
 * (checked for UTF-8 only off the fast path: see parseAndValidate), or the error (too large, aborted).
 */
function readBody(request: IncomingMessage, limit: number, done: (error: Error | null, raw: string, bytes: Buffer) => void): void {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) return done(new PayloadTooLargeError(), '', EMPTY);
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (error: Error | null, raw: string, bytes: Buffer): void => {
    if (finished) return;
    finished = true;
    done(error, raw, bytes);
  };
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      request.removeAllListeners('data');
      request.resume();
      finish(new PayloadTooLargeError(), '', EMPTY);
    } else chunks.push(chunk);
  });
  request.on('end', () => {
    const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    finish(null, bytes.toString('utf8'), bytes);
  });
  request.on('error', () => finish(new BodyCutOffError(), '', EMPTY));
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const KEY_MAY_HOLD_NUL = { nulAllowedIn: new Set(['key']) };
const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

export function createVerifyHandler(app: INestApplication): AheadHandler {
  const config = app.get<KeywardConfig>(KEYWARD_CONFIG);
  const authenticator = app.get(VerifierAuthenticator);
  const verifyService = app.get(VerifyService);
  const verifyMetrics = app.get(VerifyMetrics);
  const principals = app.get(PrincipalSigner);
  const observeHttp = httpDurationObserver(app.get(Metrics), ROUTE);
  const logger = new Logger('VerifyHandler');
  const validate = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true }).compile<VerifyRequest>(
    VERIFY_REQUEST_SCHEMA,
  );
  /**
   * The general path: the bytes must be UTF-8 (the fast path needs no check: a byte that is not
   * decodes to U+FFFD, which KEY_ONLY_BODY never matches), and the parsed body is checked for
   * depth and NUL before the schema walks it (docs/input-validation.md). `key` may hold any
   * string, NUL included: docs/api.md (Verify codes) answers every string of the wrong shape 200 MALFORMED.
   */
  const parseAndValidate = (raw: string, bytes: Buffer): VerifyRequest => {
    assertUtf8(bytes);
    assertJsonTextDepth(bytes);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new MalformedJsonError();
    }
    assertJsonInput(body, KEY_MAY_HOLD_NUL);
    if (!validate(body)) throw new BodySchemaError(validate.errors ?? []);
    return body;
  };

  // The warm path runs from the body's last byte to its answer without a promise: every step
  // that may wait (an uncached credential or key, the shared counters) returns one only then.
  const respond = (response: ServerResponse, requestId: string, started: number, outcome: VerifyOutcome): void => {
    const payload = outcome.json;
    // Name/value pairs in one list: no object spread per request (a profile showed the spread).
    const headers = ['content-type', JSON_CONTENT_TYPE, 'content-length', String(Buffer.byteLength(payload)), 'x-request-id', requestId];
    for (const name in outcome.headers) headers.push(name, outcome.headers[name]);
    response.writeHead(200, headers);
    response.end(payload);
    // Server time of an answered verification, read once for both histograms.
    const seconds = (performance.now() - started) / 1e3;
    verifyMetrics.verifyDuration.observe(seconds);
    observeHttp('POST', 200, seconds);
  };

  const fail = (response: ServerResponse, requestId: string, started: number, error: unknown): void => {
    const mapped = toProblem(error, requestId);
    if (mapped.errorId) logger.error({ err: error, errorId: mapped.errorId, reqId: requestId }, 'Unexpected error in verify');
    const headers: Record<string, string> = { 'x-request-id': requestId };
    if (mapped.retryAfterSeconds !== undefined) headers['retry-after'] = String(mapped.retryAfterSeconds);
    if (!response.headersSent) writeProblem(response, mapped.problem, headers);
    observeHttp('POST', response.statusCode, (performance.now() - started) / 1e3);
  };

  // With tracing on, each answer also ends its request's span, if the request was sampled; with
  // tracing off the functions are the ones above, chosen once: a request pays nothing for tracing.
  const tracer = requestTracer();
  const answer =
    tracer === null
      ? respond
      : (response: ServerResponse, requestId: string, started: number, outcome: VerifyOutcome): void => {
          respond(response, requestId, started, outcome);
          tracer.end(response, outcome.code);
        };
  const answerProblem =
    tracer === null
      ? fail
      : (response: ServerResponse, requestId: string, started: number, error: unknown): void => {
          fail(response, requestId, started, error);
          tracer.end(response, null);
        };

  // Answers known at once go out in bursts (answer-bursts.ts); the others when their store replies.
  const bursts = new AnswerBursts<string>(answer, answerProblem);

  const signed = (outcome: VerifyOutcome): VerifyOutcome => {
    const token = outcome.code === 'VALID' && outcome.key !== null ? principals.sign(outcome.key) : null;
    return token === null ? outcome : withPrincipal(outcome, token);
  };

  /** The verification of `body`, with a signed principal when it asks for one and the deployment signs them. */
  const verify = (
    verifier: VerifierPrincipal,
    body: VerifyRequest,
    request: IncomingMessage,
    raw: string,
  ): VerifyOutcome | Promise<VerifyOutcome> => {
    const outcome = verifyService.verify(verifier, body, retryOf(request, raw));
    if (body.principal !== true || !principals.enabled) return outcome;
    return outcome instanceof Promise ? outcome.then(signed) : signed(outcome);
  };

  const handleBody = (
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
    started: number,
    raw: string,
    bytes: Buffer,
  ): void => {
    const contentType = request.headers['content-type'];
    // No body at all is a body without a key (400); a body of another type is 415.
    if (contentType === undefined && raw === '')
      throw new ValidationFailedError([{ field: 'body', message: 'must be a JSON object with a key string' }]);
    if (contentType !== 'application/json' && !JSON_MEDIA_TYPE.test(contentType ?? '')) throw new UnsupportedMediaTypeError();
    // The caller is checked before the body is parsed: a bad token is 401 whatever the body.
    const verifier = authenticator.authenticate(request.headers.authorization);
    if (verifier instanceof Promise) {
      return bursts.answer(
        response,
        requestId,
        started,
        verifier.then((principal) => verify(principal, keyOnlyBody(raw) ?? parseAndValidate(raw, bytes), request, raw)),
      );
    }
    bursts.answer(response, requestId, started, verify(verifier, keyOnlyBody(raw) ?? parseAndValidate(raw, bytes), request, raw));
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const started = performance.now();
    const requestId = requestIdFor(request);
    readBody(request, config.bodyLimitBytes, (error, raw, bytes) => {
      try {
        if (error) throw error;
        handleBody(request, response, requestId, started, raw, bytes);
      } catch (thrown) {
        answerProblem(response, requestId, started, thrown);
      }
    });
  };

  // A sampled request's span starts as it arrives (docs/operations.md, Tracing).
  const serve =
    tracer === null
      ? handle
      : (request: IncomingMessage, response: ServerResponse): void => {
          tracer.start(ROUTE, request, response);
          handle(request, response);
        };

  return (request, response) => {
    if (!isVerifyRoute(request)) return false;
    serve(request, response);
    return true;
  };
}
