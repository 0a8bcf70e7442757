// KeywardVerifier: POST /v1/verify over a keep-alive connection pool, with a deadline per call,
// retries of network errors and 5xx answers (jittered exponential backoff, every retry of a call
// carrying the same Idempotency-Key, so that the service charges a call once however often it is
// sent), and a choice of failing closed or open when the service cannot be reached (docs/sdk.md).
import { randomUUID } from 'node:crypto';
import { Pool, type Dispatcher } from 'undici';
import { KeywardApiError, KeywardUnavailableError, problemOf } from './errors';
import type { components } from './generated/verify';
import { KeywardPrincipalVerifier, type KeywardPrincipalClaims, type PrincipalVerifierOptions } from './principal';

type GeneratedRequest = components['schemas']['VerifyRequest'];
type GeneratedAnswer = components['schemas']['VerifyAnswer'];

/** A verification code: VALID, or why the key may not make this call. */
export type VerifyCode = GeneratedAnswer['code'];

/** An on-request named rate limit to apply, with its own cost (docs/sdk.md, "Verifying"). */
export interface RateLimitRequest {
  name: string;
  cost?: number;
}

/** One applied named rate limit as the answer lists it. */
export interface AppliedRateLimit {
  name: string;
  scope: 'key' | 'owner';
  limit: number;
  remaining: number;
  resetAt: string;
  exceeded: boolean;
}

/** What to verify: the key your caller presented and what the call needs. */
export type VerifyInput = Partial<Omit<GeneratedRequest, 'key'>> & {
  /** The key as the caller presented it. */
  key: string;
  /** Scopes combined with AND, OR and parentheses (`billing:read AND (orders:write OR orders:admin)`). */
  scopeQuery?: string;
  /** The on-request named rate limits to apply, each with an optional cost of its own. */
  rateLimits?: RateLimitRequest[];
  /** Ask for a signed principal (Keyward-Principal) on a VALID answer. */
  principal?: boolean;
};

/** The service's answer, typed from its OpenAPI document, with the fields of the richer answer where the service sends them. */
export type VerifyAnswer = GeneratedAnswer & {
  name?: string | null;
  roles?: string[];
  owner?: { ownerId: string; name: string | null; meta: Record<string, unknown> } | null;
  rateLimits?: AppliedRateLimit[];
  credits?: { remaining: number | null; ownerRemaining?: number | null };
};

/** The answer of KeywardVerifier.verify. */
export type VerifyResult = VerifyAnswer & {
  /** RateLimit, RateLimit-Policy and Retry-After as the service sent them (lower-case names), to pass on to your caller. */
  headers: Record<string, string>;
  /** The signed principal (a compact JWS) when `principal: true` was asked and the service signs principals. */
  principalToken?: string;
  /** The service's request id (X-Request-Id). */
  requestId?: string;
  /** Set when the service could not be reached and `failOpen` let the call through unverified. */
  failedOpen?: true;
};

/** Where the SDK reports retries and fail-open decisions; pino, console and most loggers fit. Never given a key or a token. */
export interface KeywardLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface KeywardVerifierOptions {
  /** The verify service's base URL, e.g. `http://keyward-verify:3001`. */
  baseUrl: string;
  /** A tenant credential of the role `verifier` (`kwc_...`). */
  token: string;
  /** Deadline of one verify() call, retries included (default 1000 ms). */
  timeoutMs?: number;
  /** Deadline of one attempt: a stalled attempt is abandoned and retried within timeoutMs (default 400 ms). */
  attemptTimeoutMs?: number;
  /** Retries after the first attempt, for network errors, timeouts and 5xx answers (default 2). */
  retries?: number;
  /** Backoff before retry n: a random time up to min(backoffMaxMs, backoffBaseMs * 2^n) (defaults 25 ms and 250 ms). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** When the service cannot be reached: false (default) raises KeywardUnavailableError; true answers VALID with `failedOpen: true`. */
  failOpen?: boolean;
  /** Keep-alive connections to the service (default 16). */
  connections?: number;
  /** An undici dispatcher of your own instead of the SDK's pool. */
  dispatcher?: Dispatcher;
  logger?: KeywardLogger;
  /** How verifyPrincipal checks tokens: the issuer to require, clock leeway, JWKS refetching (docs/sdk.md, "Signed principals"). */
  principals?: Omit<PrincipalVerifierOptions, 'baseUrl'>;
}

const PASSED_ON_HEADERS = ['ratelimit', 'ratelimit-policy', 'retry-after'];

type Attempt =
  | { kind: 'answer'; status: number; headers: Record<string, string | string[] | undefined>; body: unknown }
  | { kind: 'timeout' }
  | { kind: 'network'; errorCode: string; message: string };

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `text` with each of `secrets` (the non-empty ones) replaced by `[redacted]`. */
function redact(text: string, secrets: string[]): string {
  return secrets.filter((secret) => secret.length > 0).reduce((redacted, secret) => redacted.split(secret).join('[redacted]'), text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class KeywardVerifier {
  readonly #token: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #origin: string;
  readonly #path: string;
  readonly #options: Required<Omit<KeywardVerifierOptions, 'token' | 'dispatcher' | 'logger' | 'baseUrl' | 'principals'>>;
  readonly #logger: KeywardLogger | undefined;
  readonly #baseUrl: string;
  readonly #principalOptions: Omit<PrincipalVerifierOptions, 'baseUrl'> | undefined;
  #principals: KeywardPrincipalVerifier | undefined;

  constructor(options: KeywardVerifierOptions) {
    if (!options.baseUrl) throw new TypeError('KeywardVerifier: baseUrl is required');
    if (!options.token) throw new TypeError('KeywardVerifier: token is required');
    const url = new URL(options.baseUrl);
    this.#origin = url.origin;
    this.#path = `${url.pathname.replace(/\/+$/, '')}/v1/verify`;
    this.#token = options.token;
    this.#options = {
      timeoutMs: options.timeoutMs ?? 1000,
      attemptTimeoutMs: options.attemptTimeoutMs ?? 400,
      retries: options.retries ?? 2,
      backoffBaseMs: options.backoffBaseMs ?? 25,
      backoffMaxMs: options.backoffMaxMs ?? 250,
      failOpen: options.failOpen ?? false,
      connections: options.connections ?? 16,
    };
    this.#ownsDispatcher = !options.dispatcher;
    this.#dispatcher = options.dispatcher ?? new Pool(this.#origin, { connections: this.#options.connections, keepAliveTimeout: 30_000 });
    this.#logger = options.logger;
    this.#baseUrl = options.baseUrl;
    this.#principalOptions = options.principals;
  }

  /**
   * The claims of a `Keyward-Principal` token (a VALID answer's `principalToken`, or the header a
   * gateway passed on), checked offline against the verify service's JWKS, which is fetched once
   * and kept; raises KeywardPrincipalError when the token may not be trusted.
   */
  verifyPrincipal(token: string): Promise<KeywardPrincipalClaims> {
    this.#principals ??= new KeywardPrincipalVerifier({ ...this.#principalOptions, baseUrl: this.#baseUrl });
    return this.#principals.verifyPrincipal(token);
  }

  /** Whether a call that cannot reach the service answers VALID with `failedOpen: true` (else it raises KeywardUnavailableError). */
  get failOpen(): boolean {
    return this.#options.failOpen;
  }

  /**
   * Verifies `input.key` for one call. Answers the service's verdict (any code: check `valid`);
   * raises KeywardApiError when the service refuses the request itself (a bad credential, a bad
   * field) and KeywardUnavailableError when it cannot be reached in time, unless failOpen.
   */
  async verify(input: VerifyInput): Promise<VerifyResult> {
    const { key, scopes, scopeQuery, ip, cost, rateLimits, principal } = input;
    const body: Record<string, unknown> = { key };
    if (scopes !== undefined) body.scopes = scopes;
    if (scopeQuery !== undefined) body.scopeQuery = scopeQuery;
    if (ip !== undefined) body.ip = ip;
    if (cost !== undefined) body.cost = cost;
    if (rateLimits !== undefined) body.rateLimits = rateLimits;
    if (principal !== undefined) body.principal = principal;
    const payload = JSON.stringify(body);
    const idempotencyKey = randomUUID();
    const started = performance.now();
    const deadline = started + this.#options.timeoutMs;
    let attempts = 0;
    let last: Attempt = { kind: 'timeout' };
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      attempts++;
      last = await this.#attempt(payload, idempotencyKey, Math.min(left, this.#options.attemptTimeoutMs));
      if (last.kind === 'answer' && last.status < 500) return this.#resultOf(last, key);
      if (attempts > this.#options.retries) break;
      const backoff = Math.random() * Math.min(this.#options.backoffMaxMs, this.#options.backoffBaseMs * 2 ** (attempts - 1));
      if (performance.now() + backoff >= deadline) break;
      this.#logger?.warn('keyward: verify attempt failed, retrying', { attempt: attempts, outcome: this.#describe(last), idempotencyKey });
      await sleep(backoff);
    }
    const elapsed = Math.round(performance.now() - started);
    const message = `Keyward verify service at ${this.#origin} unavailable: ${this.#describe(last)} after ${attempts} attempt(s) in ${elapsed} ms`;
    if (this.#options.failOpen) {
      this.#logger?.warn('keyward: verify service unavailable, failing open', {
        attempts,
        outcome: this.#describe(last),
        elapsedMs: elapsed,
      });
      return { valid: true, code: 'VALID', headers: {}, failedOpen: true };
    }
    this.#logger?.warn('keyward: verify service unavailable, failing closed', {
      attempts,
      outcome: this.#describe(last),
      elapsedMs: elapsed,
    });
    throw new KeywardUnavailableError(message, {
      attempts,
      reason: last.kind === 'answer' ? 'status' : last.kind,
      status: last.kind === 'answer' ? last.status : undefined,
      errorCode: last.kind === 'network' ? last.errorCode : undefined,
    });
  }

  /** Closes the SDK's connection pool (not a dispatcher you gave). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  toString(): string {
    return `KeywardVerifier(${this.#origin})`;
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.#origin, ...this.#options };
  }

  #describe(attempt: Attempt): string {
    if (attempt.kind === 'answer') return `HTTP ${attempt.status}`;
    if (attempt.kind === 'timeout') return 'no answer in time';
    return `${attempt.errorCode} (${attempt.message})`;
  }

  async #attempt(payload: string, idempotencyKey: string, timeoutMs: number): Promise<Attempt> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const response = await this.#dispatcher.request({
        origin: this.#origin,
        path: this.#path,
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.#token}`,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
        },
        body: payload,
        signal: controller.signal,
      });
      const text = await response.body.text();
      let body: unknown = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: a proxy's error page, say
      }
      return { kind: 'answer', status: response.statusCode, headers: response.headers, body };
    } catch (error) {
      if (timedOut) return { kind: 'timeout' };
      const failure = error as { code?: string; name?: string; message?: string };
      // Socket errors carry no request data; the message is kept short and free of headers and body.
      return { kind: 'network', errorCode: failure.code ?? failure.name ?? 'ERROR', message: String(failure.message ?? '').slice(0, 200) };
    } finally {
      clearTimeout(timer);
    }
  }

  #resultOf(answer: Extract<Attempt, { kind: 'answer' }>, key: string): VerifyResult {
    const requestId = headerValue(answer.headers['x-request-id']);
    if (answer.status !== 200 || typeof answer.body !== 'object' || answer.body === null) {
      const problem = problemOf(answer.status, answer.body, requestId);
      // The service never echoes a key; the SDK makes sure of it for whatever sits between.
      if (problem.detail) problem.detail = redact(problem.detail, [key, this.#token]);
      throw new KeywardApiError(problem);
    }
    const headers: Record<string, string> = {};
    for (const name of PASSED_ON_HEADERS) {
      const value = headerValue(answer.headers[name]);
      if (value !== undefined) headers[name] = value;
    }
    const result: VerifyResult = { ...(answer.body as VerifyAnswer), headers };
    const principalToken = headerValue(answer.headers['keyward-principal']);
    if (principalToken) result.principalToken = principalToken;
    if (requestId) result.requestId = requestId;
    return result;
  }
}
