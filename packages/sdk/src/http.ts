// What the NestJS guard, the Express middleware and the Fastify plugin share: where the key is
// read from, which fields go to verify, and the HTTP answer each code maps to, the same as the
// verify service's forward-auth endpoint gives gateways (docs/sdk.md, "Answers").
import type { IncomingHttpHeaders } from 'node:http';
import { KeywardApiError, KeywardUnavailableError, type Problem } from './errors';
import type { KeywardVerifier, RateLimitRequest, VerifyCode, VerifyResult } from './verifier';

/** What a route needs from the caller's key. */
export interface KeywardRequirements {
  /** Every one must be granted by the key. */
  scopes?: string[];
  /** Scopes combined with AND, OR and parentheses. */
  scopeQuery?: string;
  /** What the call costs (default 1). */
  cost?: number;
  /** On-request named rate limits to apply. */
  rateLimits?: RateLimitRequest[];
}

/** The verified caller a handler sees: the VALID answer (with `failedOpen: true` when the service was unreachable and failOpen let it through). */
export type KeywardPrincipal = VerifyResult;

/** The answer a refused request gets; onDenied may change it. */
export interface KeywardDenial {
  status: number;
  headers: Record<string, string>;
  body: Problem;
  /** The verify code, `MISSING_KEY` when the request carried none, or `UNAVAILABLE`/`VERIFIER_REJECTED` when verify itself failed. */
  code: VerifyCode | 'MISSING_KEY' | 'UNAVAILABLE' | 'VERIFIER_REJECTED';
  /** The verify answer, when there was one. */
  result?: VerifyResult;
  /** The SDK error, when verify failed. */
  error?: KeywardApiError | KeywardUnavailableError;
}

/**
 * Lets a service change a refusal: answer another denial to send, or `'allow'` to let the request
 * through without a principal (an optional key, say). Answer nothing to send `denial` as it is.
 */
export type OnDenied<Request> = (
  denial: KeywardDenial,
  request: Request,
) => KeywardDenial | 'allow' | undefined | void | Promise<KeywardDenial | 'allow' | undefined | void>;

/** Options every framework wrapper takes. */
export interface KeywardHttpOptions<Request> extends KeywardRequirements {
  verifier: KeywardVerifier;
  /** The caller's address sent to verify (default: the framework's request IP). Answer undefined to send none. */
  ip?: (request: Request) => string | undefined;
  onDenied?: OnDenied<Request>;
}

/** The key of `Authorization: Bearer <key>`, else of `X-API-Key`, else undefined. */
export function keyFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (match) return match[1];
  }
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return apiKey.trim();
  return undefined;
}

const UNAUTHENTICATED = new Set(['MALFORMED', 'NOT_FOUND', 'REVOKED', 'EXPIRED', 'DISABLED']);
const FORBIDDEN = new Set(['IP_NOT_ALLOWED', 'INSUFFICIENT_SCOPE']);

const TITLES: Record<KeywardDenial['code'], string> = {
  VALID: 'Valid',
  MISSING_KEY: 'An API key is required',
  MALFORMED: 'The API key is malformed',
  NOT_FOUND: 'The API key is not known',
  REVOKED: 'The API key was revoked',
  EXPIRED: 'The API key has expired',
  DISABLED: 'The API key is disabled',
  IP_NOT_ALLOWED: 'The API key may not be used from this address',
  INSUFFICIENT_SCOPE: 'The API key lacks a scope this call needs',
  RATE_LIMITED: 'The API key is over its rate limit',
  USAGE_EXCEEDED: 'The API key has no credits left',
  UNAVAILABLE: 'Key verification is unavailable',
  VERIFIER_REJECTED: 'Key verification is misconfigured',
};

function denial(
  status: number,
  code: KeywardDenial['code'],
  headers: Record<string, string>,
  extra: Partial<KeywardDenial> = {},
): KeywardDenial {
  const kebab = code.toLowerCase().replace(/_/g, '-');
  return {
    status,
    code,
    headers: { 'keyward-code': code, ...headers },
    body: {
      type: `urn:keyward:problem:${kebab}`,
      title: TITLES[code],
      status,
      detail: TITLES[code],
      code,
      requestId: extra.result?.requestId,
    },
    ...extra,
  };
}

/** The refusal for a request without a key. */
export function missingKeyDenial(): KeywardDenial {
  return denial(401, 'MISSING_KEY', { 'www-authenticate': 'Bearer' });
}

/** The refusal for a verify answer, or null for VALID. */
export function denialOf(result: VerifyResult): KeywardDenial | null {
  const code = result.code;
  if (result.valid && code === 'VALID') return null;
  if (UNAUTHENTICATED.has(code)) return denial(401, code, { 'www-authenticate': 'Bearer error="invalid_token"' }, { result });
  if (FORBIDDEN.has(code)) return denial(403, code, {}, { result });
  // RATE_LIMITED and USAGE_EXCEEDED, with the RateLimit headers and Retry-After passed through.
  return denial(429, code, { ...result.headers }, { result });
}

/** The refusal when verify itself failed: 503 when unreachable, 502 when it refused the SDK's request (credential or input). */
export function failureDenial(error: unknown): KeywardDenial {
  if (error instanceof KeywardUnavailableError) return denial(503, 'UNAVAILABLE', { 'retry-after': '1' }, { error });
  if (error instanceof KeywardApiError) return denial(502, 'VERIFIER_REJECTED', {}, { error });
  throw error;
}

/** The outcome of checking one request: the principal to expose, or the denial to send. */
export type KeywardOutcome = { principal: KeywardPrincipal } | { denial: KeywardDenial };

/** Verifies the request's key against `requirements`; never throws for a refusal or an unreachable service. */
export async function checkRequest(
  verifier: KeywardVerifier,
  headers: IncomingHttpHeaders,
  requirements: KeywardRequirements & { ip?: string },
): Promise<KeywardOutcome> {
  const key = keyFromHeaders(headers);
  if (key === undefined) return { denial: missingKeyDenial() };
  let result: VerifyResult;
  try {
    result = await verifier.verify({ key, ...requirements });
  } catch (error) {
    return { denial: failureDenial(error) };
  }
  const refused = denialOf(result);
  return refused ? { denial: refused } : { principal: result };
}

/** Applies onDenied: the denial to send, or null to let the request through. */
export async function settleDenial<Request>(
  denied: KeywardDenial,
  request: Request,
  onDenied?: OnDenied<Request>,
): Promise<KeywardDenial | null> {
  if (!onDenied) return denied;
  const decided = await onDenied(denied, request);
  if (decided === 'allow') return null;
  return decided ?? denied;
}

/** Requirements merged: scopes concatenated, the innermost scopeQuery, cost and rateLimits. */
export function mergeRequirements(...all: (KeywardRequirements | undefined)[]): KeywardRequirements {
  const merged: KeywardRequirements = {};
  for (const each of all) {
    if (!each) continue;
    if (each.scopes) merged.scopes = [...(merged.scopes ?? []), ...each.scopes];
    if (each.scopeQuery !== undefined) merged.scopeQuery = each.scopeQuery;
    if (each.cost !== undefined) merged.cost = each.cost;
    if (each.rateLimits !== undefined) merged.rateLimits = each.rateLimits;
  }
  return merged;
}
