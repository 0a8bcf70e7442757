// Signed principals checked offline (docs/sdk.md, "Signed principals"): the `Keyward-Principal` JWS
// (EdDSA, Ed25519) that the verify service signs for a VALID key, checked against its JWKS
// (`GET /.well-known/jwks.json`), which is fetched once, kept, and fetched again for a `kid` it does
// not hold (at most once per refetchIntervalMs) or once it is maxAgeMs old. node:crypto only.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** The claims of a signed principal. */
export interface KeywardPrincipalClaims {
  /** The issuer (the deployment's KEYWARD_PRINCIPAL_ISSUER, `keyward` unless set). */
  iss: string;
  /** The key's id. */
  sub: string;
  /** The key's tenant. */
  tid: string;
  /** The key's ownerId, when it has one. */
  own?: string;
  /** The key's effective scopes (its own and its roles'). */
  scp: string[];
  /** The key's roles, when it has some. */
  rol?: string[];
  /** Issued at, in seconds since the epoch. */
  iat: number;
  /** Expires at (`iat` + 60), in seconds since the epoch. */
  exp: number;
  /** The token's unique id. */
  jti: string;
}

/** Why a principal was refused. */
export type PrincipalRefusal =
  | 'malformed'
  | 'unsupported-algorithm'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'issued-in-future'
  | 'wrong-issuer'
  | 'jwks-unavailable';

/** A principal token that may not be trusted; the message never holds the token. */
export class KeywardPrincipalError extends Error {
  override readonly name = 'KeywardPrincipalError';

  constructor(
    readonly reason: PrincipalRefusal,
    message: string,
  ) {
    super(`Keyward principal refused (${reason}): ${message}`);
  }
}

export interface PrincipalVerifierOptions {
  /** The verify service's base URL: the JWKS is its `/.well-known/jwks.json`. */
  baseUrl?: string;
  /** The JWKS's URL, instead of baseUrl (a copy served elsewhere, say). */
  jwksUrl?: string;
  /** The `iss` to require (default: any). */
  issuer?: string;
  /** Leeway for clocks that differ, in seconds, applied to `exp` and `iat` (default 5). */
  clockToleranceSeconds?: number;
  /** The least time between two fetches of the JWKS for an unknown `kid` (default 10,000 ms). */
  refetchIntervalMs?: number;
  /** How long a fetched JWKS is used before it is fetched again (default 300,000 ms). */
  maxAgeMs?: number;
  /** Deadline of one fetch of the JWKS (default 2,000 ms). */
  fetchTimeoutMs?: number;
  /** The clock, in ms since the epoch (tests). */
  now?: () => number;
}

interface Jwk {
  kty?: string;
  crv?: string;
  x?: string;
  kid?: string;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeJson(part: string, what: string): Record<string, unknown> {
  if (!BASE64URL.test(part)) throw new KeywardPrincipalError('malformed', `its ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new KeywardPrincipalError('malformed', `its ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new KeywardPrincipalError('malformed', `its ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function claimsOf(payload: Record<string, unknown>): KeywardPrincipalClaims {
  const { iss, sub, tid, own, scp, rol, iat, exp, jti } = payload;
  if (
    typeof iss !== 'string' ||
    typeof sub !== 'string' ||
    typeof tid !== 'string' ||
    (own !== undefined && typeof own !== 'string') ||
    !isStringArray(scp) ||
    (rol !== undefined && !isStringArray(rol)) ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    typeof jti !== 'string'
  )
    throw new KeywardPrincipalError('malformed', 'its claims are not those of a Keyward principal');
  return payload as unknown as KeywardPrincipalClaims;
}

/** Checks `Keyward-Principal` tokens against the verify service's JWKS, kept between calls. */
export class KeywardPrincipalVerifier {
  readonly #jwksUrl: string;
  readonly #issuer: string | undefined;
  readonly #toleranceSeconds: number;
  readonly #refetchIntervalMs: number;
  readonly #maxAgeMs: number;
  readonly #fetchTimeoutMs: number;
  readonly #now: () => number;
  #keys = new Map<string, KeyObject>();
  /** When the JWKS held in #keys was fetched (0: never), and when a fetch last started. */
  #fetchedAt = 0;
  #lastFetchStartedAt = Number.NEGATIVE_INFINITY;
  #fetching: Promise<void> | undefined;

  constructor(options: PrincipalVerifierOptions) {
    if (!options.jwksUrl && !options.baseUrl) throw new TypeError('KeywardPrincipalVerifier: baseUrl or jwksUrl is required');
    this.#jwksUrl = options.jwksUrl ?? new URL('.well-known/jwks.json', `${options.baseUrl!.replace(/\/+$/, '')}/`).toString();
    this.#issuer = options.issuer;
    this.#toleranceSeconds = options.clockToleranceSeconds ?? 5;
    this.#refetchIntervalMs = options.refetchIntervalMs ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? 300_000;
    this.#fetchTimeoutMs = options.fetchTimeoutMs ?? 2_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The claims of `token` when it is a principal signed by a key of the JWKS, unexpired (and of
   * the required issuer); else raises KeywardPrincipalError saying why.
   */
  async verifyPrincipal(token: string): Promise<KeywardPrincipalClaims> {
    const parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 3) throw new KeywardPrincipalError('malformed', 'it is not a compact JWS of three parts');
    const [headerPart, payloadPart, signaturePart] = parts;
    const header = decodeJson(headerPart, 'header');
    if (header.alg !== 'EdDSA') throw new KeywardPrincipalError('unsupported-algorithm', 'its alg is not EdDSA');
    if (typeof header.kid !== 'string' || header.kid === '') throw new KeywardPrincipalError('malformed', 'its header names no kid');
    if (!BASE64URL.test(signaturePart)) throw new KeywardPrincipalError('malformed', 'its signature is not base64url');
    const key = await this.#keyOf(header.kid);
    const signed = verify(null, Buffer.from(`${headerPart}.${payloadPart}`, 'latin1'), key, Buffer.from(signaturePart, 'base64url'));
    if (!signed) throw new KeywardPrincipalError('bad-signature', 'its signature does not verify');
    const claims = claimsOf(decodeJson(payloadPart, 'payload'));
    const now = this.#now() / 1000;
    if (now >= claims.exp + this.#toleranceSeconds) throw new KeywardPrincipalError('expired', 'it has expired');
    if (claims.iat > now + this.#toleranceSeconds) throw new KeywardPrincipalError('issued-in-future', 'it is issued in the future');
    if (this.#issuer !== undefined && claims.iss !== this.#issuer)
      throw new KeywardPrincipalError('wrong-issuer', `its issuer is not ${this.#issuer}`);
    return claims;
  }

  /** The key named `kid`: from the JWKS held, fetched again when it is old or lacks the kid (not more often than refetchIntervalMs). */
  async #keyOf(kid: string): Promise<KeyObject> {
    const stale = this.#now() - this.#fetchedAt >= this.#maxAgeMs;
    if (stale || !this.#keys.has(kid)) {
      const mayFetch = this.#now() - this.#lastFetchStartedAt >= this.#refetchIntervalMs;
      if (mayFetch || this.#fetching) {
        try {
          await this.#fetchJwks();
        } catch (error) {
          // A JWKS held already still serves the keys it has; without one nothing can be checked.
          if (!this.#keys.has(kid))
            throw new KeywardPrincipalError('jwks-unavailable', `the JWKS could not be fetched: ${(error as Error).message}`);
        }
      }
    }
    const key = this.#keys.get(kid);
    if (!key) throw new KeywardPrincipalError('unknown-key', 'its kid is not in the JWKS');
    return key;
  }

  /** One fetch at a time: a call meanwhile waits for it. */
  #fetchJwks(): Promise<void> {
    this.#fetching ??= (async () => {
      this.#lastFetchStartedAt = this.#now();
      const response = await fetch(this.#jwksUrl, { signal: AbortSignal.timeout(this.#fetchTimeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as { keys?: Jwk[] };
      const keys = new Map<string, KeyObject>();
      for (const jwk of body.keys ?? []) {
        if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || typeof jwk.kid !== 'string') continue;
        keys.set(jwk.kid, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }));
      }
      this.#keys = keys;
      this.#fetchedAt = this.#now();
    })().finally(() => (this.#fetching = undefined));
    return this.#fetching;
  }
}
