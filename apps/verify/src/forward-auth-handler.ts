// /v1/forward-auth served ahead of the framework, beside POST /v1/verify (verify-handler.ts): a
// gateway (nginx auth_request, Envoy ext_authz, Traefik ForwardAuth) forwards its client's request
// headers, and the answer is in the status and headers (docs/gateways.md). The same verifier cache,
// verification, metrics and problems as /v1/verify; no body is read.
import type { VerifiableKey, VerifyCode } from '@keyward/keys';
import {
  DomainError,
  ForbiddenError,
  Metrics,
  PROBLEM_CONTENT_TYPE,
  UnauthenticatedError,
  ValidationFailedError,
  buildProblem,
  requestIdFor,
  requestTracer,
  toProblem,
  writeProblem,
  type AheadHandler,
  type FieldError,
  type ProblemCode,
} from '@keyward/platform';
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { AnswerBursts } from './answer-bursts';
import { httpDurationObserver } from './http-duration';
import { PrincipalSigner } from './principal-signer';
import { VerifierAuthenticator, type VerifierPrincipal } from './verifier-authenticator';
import type { VerifyOutcome } from './verify-answer';
import { VERIFY_CODE_MEANINGS, VERIFY_REQUEST_SCHEMA, type VerifyRequest } from './verify.schema';
import { retryOf } from './verify-retry';
import { VerifyService } from './verify.service';

export const FORWARD_AUTH_ROUTE = '/v1/forward-auth';

export const GATEWAYS = ['nginx', 'envoy', 'traefik'] as const;

/** The status of each verify code (docs/gateways.md, Answers); nginx gets 403 for both 429s. */
export const FORWARD_AUTH_STATUS: Readonly<Record<VerifyCode, number>> = {
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

const PROBLEM_OF_STATUS: Readonly<Record<number, ProblemCode>> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 429: 'RATE_LIMITED' };

/** The gateway's credential is missing, unknown or not a verifier: its operator's fault, not the client's. */
export class VerifierRejectedError extends DomainError {
  constructor(readonly reason: 'missing' | 'rejected') {
    super('VERIFIER_REJECTED', "The gateway's Keyward-Verifier credential was not accepted; see the verify service's log.");
  }
}

/** What the query of /v1/forward-auth asks, beside the key and the address the headers give. */
export interface ForwardAuthParams {
  scopes?: string[];
  scopeQuery?: string;
  cost?: number;
  gateway?: (typeof GATEWAYS)[number];
}

const PARAMETERS = new Set(['scopes', 'scopeQuery', 'cost', 'gateway']);
const COST = /^[1-9][0-9]{0,6}$/;
// The bounds of POST /v1/verify's body, which the same verification takes.
const { cost: COST_SCHEMA, scopes: SCOPES_SCHEMA, ip: IP_SCHEMA } = VERIFY_REQUEST_SCHEMA.properties;
const MAX_COST = COST_SCHEMA.maximum;
const MAX_SCOPES = SCOPES_SCHEMA.maxItems;
const MAX_SCOPE_LENGTH = SCOPES_SCHEMA.items.maxLength;
const MAX_SCOPE_QUERY_LENGTH = 1_000;
const MAX_IP_LENGTH = IP_SCHEMA.maxLength;

/** The parameters of a query string (without its `?`), or a 400 naming each bad one. */
export function readForwardAuthParams(query: string): ForwardAuthParams {
  const params: ForwardAuthParams = {};
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(query)) {
    if (!PARAMETERS.has(name)) {
      errors.push({ field: name, message: `is not a parameter of ${FORWARD_AUTH_ROUTE} (scopes, scopeQuery, cost, gateway)` });
      continue;
    }
    if (seen.has(name)) {
      errors.push({ field: name, message: 'must be given once' });
      continue;
    }
    seen.add(name);
    if (name === 'scopes') {
      if (value === '') continue;
      const scopes = value.split(',');
      if (scopes.length > MAX_SCOPES) errors.push({ field: name, message: `must list at most ${MAX_SCOPES} scopes` });
      else if (scopes.some((scope) => scope.length === 0 || scope.length > MAX_SCOPE_LENGTH))
        errors.push({ field: name, message: `must be scopes of 1 to ${MAX_SCOPE_LENGTH} characters separated by commas` });
      else params.scopes = scopes;
    } else if (name === 'scopeQuery') {
      if (value.length > MAX_SCOPE_QUERY_LENGTH)
        errors.push({ field: name, message: `must be at most ${MAX_SCOPE_QUERY_LENGTH} characters` });
      else if (value !== '') params.scopeQuery = value;
    } else if (name === 'cost') {
      if (!COST.test(value) || Number(value) > MAX_COST) errors.push({ field: name, message: `must be an integer from 1 to ${MAX_COST}` });
      else params.cost = Number(value);
    } else if ((GATEWAYS as readonly string[]).includes(value)) params.gateway = value as ForwardAuthParams['gateway'];
    else errors.push({ field: name, message: `must be one of ${GATEWAYS.join(', ')}` });
  }
  if (errors.length > 0) throw new ValidationFailedError(errors);
  return params;
}

/** The key in `Authorization: Bearer <key>`, or '' (a gateway forwards the client's headers). */
export function bearerKeyOf(headers: IncomingHttpHeaders): string {
  const { authorization } = headers;
  if (authorization === undefined || authorization.length <= 7 || authorization.slice(0, 7).toLowerCase() !== 'bearer ') return '';
  return authorization.slice(7).trim();
}

/** The key in `X-API-Key: <key>`, or ''. */
export function apiKeyOf(headers: IncomingHttpHeaders): string {
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : '';
}

/** The client's address: `X-Real-IP`, else the first of `X-Forwarded-For`; none when absent or too long to be one. */
export function clientIpOf(headers: IncomingHttpHeaders): string | undefined {
  const realIp = headers['x-real-ip'];
  const forwardedFor = headers['x-forwarded-for'];
  let ip: string | undefined;
  if (typeof realIp === 'string' && realIp.trim() !== '') ip = realIp.trim();
  else if (typeof forwardedFor === 'string') ip = forwardedFor.split(',')[0].trim();
  return ip && ip.length <= MAX_IP_LENGTH ? ip : undefined;
}

/** Where a request is on this route; the query whose parameters apply is read only on the route itself. */
const enum Place {
  Elsewhere,
  /** `/v1/forward-auth` or `/v1/forward-auth/`, with or without a query: nginx, Traefik. */
  Route,
  /**
   * A path below it: Envoy's path_prefix put the client's own path (and query) there. That query
   * is the client's, not parameters of this route, and is not read (docs/gateways.md, Envoy).
   */
  Below,
}

function placeOf(url: string): Place {
  if (!url.startsWith(FORWARD_AUTH_ROUTE)) return Place.Elsewhere;
  const next = url.charCodeAt(FORWARD_AUTH_ROUTE.length);
  if (Number.isNaN(next) || next === 0x3f /* ? */) return Place.Route;
  if (next !== 0x2f /* / */) return Place.Elsewhere;
  const after = url.charCodeAt(FORWARD_AUTH_ROUTE.length + 1);
  return Number.isNaN(after) || after === 0x3f ? Place.Route : Place.Below;
}

function queryOf(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? '' : url.slice(mark + 1);
}

/**
 * Envoy's `x-envoy-auth-headers-to-remove` of a VALID answer: the header that carried the key, and
 * Keyward-Owner-Id when the key has none, so that a client's own one does not reach the upstream
 * (Envoy's allowed_upstream_headers only overrides headers the answer has).
 */
const ENVOY_HEADERS_TO_REMOVE = {
  authorization: { owner: 'authorization', noOwner: 'authorization, keyward-owner-id' },
  'x-api-key': { owner: 'x-api-key', noOwner: 'x-api-key, keyward-owner-id' },
} as const;

/** Printable ASCII without `%`, and no space at either end: sent as is; anything else percent-encoded. */
const PLAIN_HEADER_VALUE = /^(?:[!-$&-~]|[!-$&-~][ -$&-~]*[!-$&-~])$/;

/** The headers of a VALID answer that depend on the key record alone. */
function validHeaders(key: VerifiableKey): string[] {
  const headers = ['keyward-key-id', key.id];
  if (key.ownerId !== null)
    headers.push('keyward-owner-id', PLAIN_HEADER_VALUE.test(key.ownerId) ? key.ownerId : encodeURIComponent(key.ownerId));
  headers.push('keyward-scopes', key.scopes.join(','), 'keyward-meta', Buffer.from(JSON.stringify(key.meta), 'utf8').toString('base64url'));
  return headers;
}

const NO_PARAMS: ForwardAuthParams = {};

/** What an answer is written from, beside the verdict. */
interface Asked {
  request: IncomingMessage;
  requestId: string;
  params: ForwardAuthParams;
  /** The header that carried the key, or null when none did. */
  keyHeader: 'authorization' | 'x-api-key' | null;
  /** A path below the route: Envoy's (see Place). */
  envoy: boolean;
}

/** Parsed parameters of the query strings seen, bounded: a gateway sends the few its configuration holds. */
const PARAMS_KEPT = 1_000;

export function createForwardAuthHandler(app: INestApplication): AheadHandler {
  const authenticator = app.get(VerifierAuthenticator);
  const verifyService = app.get(VerifyService);
  const observeHttp = httpDurationObserver(app.get(Metrics), FORWARD_AUTH_ROUTE);
  const principals = app.get(PrincipalSigner);
  const logger = new Logger('ForwardAuthHandler');
  const paramsByQuery = new Map<string, ForwardAuthParams>();
  /** A key record is replaced, never changed, when its key changes: its headers never go stale. */
  const validHeadersByKey = new WeakMap<VerifiableKey, string[]>();

  const paramsOf = (query: string): ForwardAuthParams => {
    let params = paramsByQuery.get(query);
    if (params === undefined) {
      params = readForwardAuthParams(query);
      if (paramsByQuery.size >= PARAMS_KEPT) paramsByQuery.clear();
      paramsByQuery.set(query, params);
    }
    return params;
  };

  const rejectVerifier = (error: unknown, reason: 'missing' | 'rejected'): never => {
    if (error instanceof UnauthenticatedError || error instanceof ForbiddenError) throw new VerifierRejectedError(reason);
    throw error;
  };

  const admitVerifier = (header: string | undefined): VerifierPrincipal | Promise<VerifierPrincipal> => {
    const token = header?.trim() ?? '';
    const reason = token === '' ? 'missing' : 'rejected';
    try {
      const verifier = authenticator.authenticateToken(token);
      return verifier instanceof Promise ? verifier.catch((error: unknown) => rejectVerifier(error, reason)) : verifier;
    } catch (error) {
      return rejectVerifier(error, reason);
    }
  };

  const respond = (response: ServerResponse, asked: Asked, started: number, outcome: VerifyOutcome): void => {
    const { request, requestId, params, keyHeader, envoy } = asked;
    const { code } = outcome;
    const headers = ['keyward-code', code, 'x-request-id', requestId];
    for (const name in outcome.headers) headers.push(name, outcome.headers[name]);
    let status = FORWARD_AUTH_STATUS[code];
    if (status === 200) {
      let fixed = validHeadersByKey.get(outcome.key!);
      if (!fixed) validHeadersByKey.set(outcome.key!, (fixed = validHeaders(outcome.key!)));
      for (let i = 0; i < fixed.length; i++) headers.push(fixed[i]);
      if (principals.enabled) {
        const token = principals.sign(outcome.key!);
        if (token !== null) headers.push('keyward-principal', token);
      }
      if (envoy && keyHeader !== null)
        headers.push(
          'x-envoy-auth-headers-to-remove',
          ENVOY_HEADERS_TO_REMOVE[keyHeader][outcome.key!.ownerId === null ? 'noOwner' : 'owner'],
        );
      headers.push('content-length', '0');
      response.writeHead(200, headers);
      response.end();
    } else {
      // nginx's auth_request turns any status but 2xx, 401 and 403 into a 500 (docs/gateways.md, nginx).
      if (status === 429 && params.gateway === 'nginx') status = 403;
      if (status === 401) headers.push('www-authenticate', keyHeader !== null ? 'Bearer error="invalid_token"' : 'Bearer');
      const problem = buildProblem(PROBLEM_OF_STATUS[status], `The key was refused: ${code}. ${VERIFY_CODE_MEANINGS[code]}`, requestId);
      const body = JSON.stringify(problem);
      headers.push('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`, 'content-length', String(Buffer.byteLength(body)));
      response.writeHead(status, headers);
      response.end(body);
    }
    observeHttp(request.method ?? 'GET', status, (performance.now() - started) / 1e3);
  };

  const fail = (response: ServerResponse, { request, requestId }: Asked, started: number, error: unknown): void => {
    const mapped = toProblem(error, requestId);
    if (error instanceof VerifierRejectedError) {
      // The credential itself is never logged: only whether it was sent, and who sent it.
      logger.warn(
        { reqId: requestId, reason: error.reason, gateway: request.socket.remoteAddress },
        error.reason === 'missing'
          ? 'Forward auth refused with 502: the gateway sent no Keyward-Verifier credential'
          : 'Forward auth refused with 502: the Keyward-Verifier credential the gateway sent is unknown, revoked, expired or not a verifier',
      );
    } else if (mapped.errorId) logger.error({ err: error, errorId: mapped.errorId, reqId: requestId }, 'Unexpected error in forward auth');
    const headers: Record<string, string> = { 'x-request-id': requestId };
    if (mapped.retryAfterSeconds !== undefined) headers['retry-after'] = String(mapped.retryAfterSeconds);
    if (!response.headersSent) writeProblem(response, mapped.problem, headers);
    observeHttp(request.method ?? 'GET', response.statusCode, (performance.now() - started) / 1e3);
  };

  // With tracing on, each answer also ends its request's span, if the request was sampled; with
  // tracing off the functions are the ones above, chosen once, as /v1/verify's are.
  const tracer = requestTracer();
  const answer =
    tracer === null
      ? respond
      : (response: ServerResponse, asked: Asked, started: number, outcome: VerifyOutcome): void => {
          respond(response, asked, started, outcome);
          tracer.end(response, outcome.code);
        };
  const answerProblem =
    tracer === null
      ? fail
      : (response: ServerResponse, asked: Asked, started: number, error: unknown): void => {
          fail(response, asked, started, error);
          tracer.end(response, null);
        };

  // Answers known at once go out in bursts, as /v1/verify's do (answer-bursts.ts).
  const bursts = new AnswerBursts<Asked>(answer, answerProblem);

  const handle = (request: IncomingMessage, response: ServerResponse, envoy: boolean): void => {
    const started = performance.now();
    const asked: Asked = { request, requestId: requestIdFor(request), params: NO_PARAMS, keyHeader: null, envoy };
    // Gateways send no body; one sent anyway is not read, only drained.
    request.resume();
    try {
      if (!envoy) asked.params = paramsOf(queryOf(request.url ?? ''));
      const bearer = bearerKeyOf(request.headers);
      const key = bearer !== '' ? bearer : apiKeyOf(request.headers);
      asked.keyHeader = bearer !== '' ? 'authorization' : key !== '' ? 'x-api-key' : null;
      const verifyRequest: VerifyRequest = {
        key,
        scopes: asked.params.scopes,
        ip: clientIpOf(request.headers),
        cost: asked.params.cost,
        scopeQuery: asked.params.scopeQuery,
      };
      const verifier = admitVerifier(request.headers['keyward-verifier'] as string | undefined);
      const retry = request.headers['idempotency-key'] === undefined ? undefined : retryOf(request, JSON.stringify(verifyRequest));
      bursts.answer(
        response,
        asked,
        started,
        verifier instanceof Promise
          ? verifier.then((principal) => verifyService.verify(principal, verifyRequest, retry))
          : verifyService.verify(verifier, verifyRequest, retry),
      );
    } catch (error) {
      answerProblem(response, asked, started, error);
    }
  };

  const serve =
    tracer === null
      ? handle
      : (request: IncomingMessage, response: ServerResponse, envoy: boolean): void => {
          tracer.start(FORWARD_AUTH_ROUTE, request, response);
          handle(request, response, envoy);
        };

  return (request, response) => {
    const place = placeOf(request.url ?? '');
    if (place === Place.Elsewhere) return false;
    serve(request, response, place === Place.Below);
    return true;
  };
}
