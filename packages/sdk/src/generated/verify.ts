// Generated from docs/openapi/verify.json by packages/sdk/scripts/generate-types.mjs (npm run sdk:generate): do not edit.
export interface paths {
  '/.well-known/jwks.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The public keys that sign principals (JWKS)
     * @description A JSON Web Key Set of the Ed25519 keys (`kty` OKP, `crv` Ed25519, `alg` EdDSA) that sign the `Keyward-Principal` tokens, each named by its RFC 7638 thumbprint (the token header's `kid`): the current key and, after a rotation, the key it replaced until every token that key signed has expired. Empty while the deployment has never signed a principal. Fetch it again when a token names a `kid` it does not hold.
     *
     *     Callers: anyone, without a credential.
     */
    get: operations['getPrincipalSigningKeys'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/verify': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Verify an API key
     * @description Checks a key your caller presented and answers 200 with a verdict: `valid` and a `code` (VALID or why not), and for a key of your tenant its id, owner, scopes, meta, expiry, credits and rate limit window. The checks run in the order of `code`: the first that fails is the answer. Only a VALID answer takes `cost` from the rate limit and the credits; limits and credits are exact however many verify processes serve the key. A key with a rateLimit gets the RateLimit and RateLimit-Policy headers on every answer, and RATE_LIMITED adds Retry-After. A change made through the admin API (revoke, disable, patch, rotate, tenant suspend) is in force within 1 second.
     *
     *     Callers: tenant credentials with the role `verifier`, for their own tenant's keys.
     */
    post: operations['verifyKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/forward-auth': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Check the key of a request a gateway forwards
     * @description For nginx `auth_request`, Envoy `ext_authz` (HTTP service) and Traefik `ForwardAuth` (docs/gateways.md): the gateway sends its client's request headers, and Keyward checks the key in `Authorization: Bearer <key>` or `X-API-Key` as `POST /v1/verify` does, with the address in `X-Real-IP` (else the first of `X-Forwarded-For`). **Any method** is answered alike, and **any path below** `/v1/forward-auth/` too (Envoy's path_prefix puts the client's path there; the query of such a path is the client's and is not read). The answer has no body except a problem on refusal, and always carries `Keyward-Code`. With `gateway=nginx` the two 429s are 403 instead (nginx turns any other status into a 500).
     *
     *     Callers: gateways, with a tenant credential of the role `verifier` in `Keyward-Verifier`.
     */
    get: operations['forwardAuth'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description RFC 9457 problem details. Branch on `code`, which is stable; `title` and `detail` are for people. */
    Problem: {
      /**
       * Format: uri
       * @description A URI per code: `urn:keyward:problem:` and the code in kebab case
       */
      type: string;
      /** @description A short summary of the code */
      title: string;
      /** @description The HTTP status of the answer */
      status: number;
      /** @description What went wrong with this request */
      detail: string;
      /**
       * @description The stable identifier to branch on
       * @enum {string}
       */
      code:
        | 'VALIDATION_FAILED'
        | 'MALFORMED_JSON'
        | 'BAD_REQUEST'
        | 'UNAUTHENTICATED'
        | 'FORBIDDEN'
        | 'TENANT_SUSPENDED'
        | 'NOT_FOUND'
        | 'METHOD_NOT_ALLOWED'
        | 'REQUEST_TIMEOUT'
        | 'CONFLICT'
        | 'INSUFFICIENT_CREDITS'
        | 'IDEMPOTENCY_KEY_IN_USE'
        | 'ROLE_IN_USE'
        | 'GONE'
        | 'PAYLOAD_TOO_LARGE'
        | 'UNSUPPORTED_MEDIA_TYPE'
        | 'IDEMPOTENCY_KEY_REUSED'
        | 'RATE_LIMITED'
        | 'HEADERS_TOO_LARGE'
        | 'INTERNAL_ERROR'
        | 'VERIFIER_REJECTED'
        | 'SERVICE_UNAVAILABLE';
      /** @description The request's id, as in the X-Request-Id header */
      requestId: string;
      /** @description With VALIDATION_FAILED: each invalid field, query value or header */
      errors?: {
        /** @description The field, as a dotted path (`rateLimit.limit`), or the query value or header */
        field: string;
        message: string;
      }[];
    };
    VerifyRequest: {
      /** @description The API key your caller presented, as it was given. A string of any other shape (the empty string too) is answered MALFORMED. */
      key: string;
      /** @description Scopes the call needs: every one must be granted by the key (a grant ending in `*` covers what begins with what precedes it), else INSUFFICIENT_SCOPE */
      scopes?: string[];
      /** @description Scopes the call needs, as a query: scope names combined with AND, OR and parentheses, AND binding tighter than OR (`billing:read AND (orders:write OR orders:admin)`); at most 1,000 characters and 100 scopes. Grants apply as for `scopes` (both may be sent: both must be satisfied), else INSUFFICIENT_SCOPE. A query that does not parse is a 400 naming `scopeQuery`. */
      scopeQuery?: string;
      /** @description Your caller's IP address (IPv4 or IPv6). Needed for a key with an ipAllowlist: without it, such a key is IP_NOT_ALLOWED. Its network is what the webhook key.new_source compares, when the tenant enables it. */
      ip?: string;
      /**
       * @description What the call costs: a VALID answer takes this much from every applied rate limit and credit pool
       * @default 1
       */
      cost?: number;
      /** @description Named limits to apply beside the always-applied ones: the on-request limits of the key or its owner that this call counts against, and a cost per named limit other than `cost`. A name neither has is a 400. */
      rateLimits?: {
        name: string;
        /** @description Default: the request's `cost` */
        cost?: number;
      }[];
      /** @description Whether a VALID answer should carry a signed principal: the `Keyward-Principal` header and the `principal` field, a JWS (EdDSA) your service can pass on and others can check offline against GET /.well-known/jwks.json. Only when the deployment signs principals (KEYWARD_PRINCIPAL_SIGNING=1); otherwise the answer has neither. */
      principal?: boolean;
    };
    /** @description The verdict. MALFORMED and NOT_FOUND answers hold `valid` and `code` only; every other answer describes the key. Only a VALID answer charges anything. */
    VerifyAnswer: {
      /** @description True exactly when `code` is VALID */
      valid: boolean;
      /**
       * @description Where several apply, the first in this list wins: VALID: The key is good for this call: every check passed, and `cost` was taken from its rate limit and credits. MALFORMED: Not a key of this deployment's format (shape or checksum); no store was asked. NOT_FOUND: No such key, or a key of another tenant. REVOKED: The key was revoked. EXPIRED: The key is past its expiresAt (a rotated key past its grace period too). DISABLED: The key is disabled, or its tenant is suspended. IP_NOT_ALLOWED: The key has an ipAllowlist, and `ip` was not sent or is outside it. INSUFFICIENT_SCOPE: Some of the requested `scopes` are not granted by the key, or its scopes do not satisfy `scopeQuery`. RATE_LIMITED: The key's rate limit has no room for `cost` in this window; Retry-After says when to try again. USAGE_EXCEEDED: The key's credits (remaining) are fewer than `cost`.
       * @enum {string}
       */
      code:
        | 'VALID'
        | 'MALFORMED'
        | 'NOT_FOUND'
        | 'REVOKED'
        | 'EXPIRED'
        | 'DISABLED'
        | 'IP_NOT_ALLOWED'
        | 'INSUFFICIENT_SCOPE'
        | 'RATE_LIMITED'
        | 'USAGE_EXCEEDED';
      /**
       * Format: uuid
       * @description The key's id
       */
      keyId?: string;
      /** @description The key's name */
      name?: string;
      /** @description The key's ownerId (your customer or service), if set */
      ownerId?: string | null;
      /** @enum {string} */
      environment?: 'live' | 'test';
      /** @description The scopes the key grants: its own, then those of its roles (its effective scopes) */
      scopes?: string[];
      /** @description The names of the key's roles */
      roles?: string[];
      /** @description The key's meta, as set through the admin API */
      meta?: {
        [key: string]: unknown;
      };
      /** Format: date-time */
      expiresAt?: string | null;
      /** @description Credits left after this call (null: unlimited) */
      remaining?: number | null;
      /** @description Credits left after this call, when the key or its owner has credits */
      credits?: {
        /** @description The key's own (null: unlimited) */
        remaining?: number | null;
        /** @description The owner's shared credits, when its owner has some */
        ownerRemaining?: number;
      };
      /** @description Every limit applied to this call, the key's and its owner's */
      rateLimits?: {
        name: string;
        /** @enum {string} */
        scope: 'key' | 'owner';
        limit: number;
        /** @description Units left for the next call */
        remaining: number;
        /**
         * Format: date-time
         * @description When the limit next has room (fixed: the window's end)
         */
        resetAt: string;
        /** @description Whether this limit refused the call */
        exceeded: boolean;
      }[];
      /** @description A VALID answer for a key whose ownerId has an owner record: the owner's name and meta */
      owner?: {
        ownerId?: string;
        name?: string | null;
        meta?: {
          [key: string]: unknown;
        };
      };
      /** @description A VALID answer to a request with `principal: true`, when the deployment signs principals: the compact JWS of the `Keyward-Principal` header (claims iss, sub, tid, own, scp, rol, iat, exp, jti), valid for 60 seconds */
      principal?: string;
      /** @description The key's rate limit window, when the key has a rateLimit (the limit named `key`) */
      rateLimit?: {
        /** @description VALID answers allowed per window */
        limit: number;
        /** @description VALID answers left in this window */
        remaining: number;
        /**
         * Format: date-time
         * @description When the window ends
         */
        resetAt: string;
      };
    };
  };
  responses: {
    /** @description SERVICE_UNAVAILABLE: PostgreSQL cannot be read for a key or credential not yet cached; `Retry-After` says when to try again. */
    ServiceUnavailable: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        'Retry-After': components['headers']['Retry-After'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: {
    /** @description The request's id: the caller's `X-Request-Id` when it is 1 to 128 characters of `A-Z a-z 0-9 . _ : -`, else a new UUID. Problems quote it as `requestId`, and the logs carry it. */
    'X-Request-Id': string;
    /** @description Seconds to wait before trying again. */
    'Retry-After': number;
    /** @description The authentication scheme to use: `Bearer`. */
    'WWW-Authenticate': 'Bearer';
    /** @description A signed principal, when the deployment signs them (KEYWARD_PRINCIPAL_SIGNING=1): on a VALID forward-auth answer, and on a VALID `POST /v1/verify` answer to a request with `principal: true`. A compact JWS (EdDSA, Ed25519; header `kid`) with the claims `iss`, `sub` (the key id), `tid` (the tenant id), `own` (the ownerId, when set), `scp` (the effective scopes), `rol` (the roles, when any), `iat`, `exp` (`iat` + 60) and `jti`; its keys are at GET /.well-known/jwks.json. */
    'Keyward-Principal': string;
    /**
     * @description The key's rate limit (draft-ietf-httpapi-ratelimit-headers-10): `"key";q=<limit>;w=<window seconds>`. Sent with every answer about a key that has a rateLimit.
     * @example "key";q=100;w=60
     */
    'RateLimit-Policy': string;
    /**
     * @description What is left of the window (draft-ietf-httpapi-ratelimit-headers-10): `"key";r=<remaining>;t=<seconds to reset>`. Sent with every answer about a key that has a rateLimit.
     * @example "key";r=41;t=17
     */
    RateLimit: string;
  };
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getPrincipalSigningKeys: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The key set */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            keys: {
              /** @enum {string} */
              kty: 'OKP';
              /** @enum {string} */
              crv: 'Ed25519';
              /** @description The public key, base64url */
              x: string;
              /** @description The RFC 7638 thumbprint of the key */
              kid: string;
              /** @enum {string} */
              use: 'sig';
              /** @enum {string} */
              alg: 'EdDSA';
            }[];
          };
        };
      };
    };
  };
  verifyKey: {
    parameters: {
      query?: never;
      header?: {
        /**
         * @description 1 to 255 printable ASCII characters. A retry with the same key from the same verifier within 60 seconds gets the first decision again (same code, same remaining) and charges nothing more, on any verify process; the same key with another body within that time is 422 IDEMPOTENCY_KEY_REUSED.
         * @example order-4711-attempt
         */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['VerifyRequest'];
      };
    };
    responses: {
      /** @description The verdict. VALID: The key is good for this call: every check passed, and `cost` was taken from its rate limit and credits. MALFORMED: Not a key of this deployment's format (shape or checksum); no store was asked. NOT_FOUND: No such key, or a key of another tenant. REVOKED: The key was revoked. EXPIRED: The key is past its expiresAt (a rotated key past its grace period too). DISABLED: The key is disabled, or its tenant is suspended. IP_NOT_ALLOWED: The key has an ipAllowlist, and `ip` was not sent or is outside it. INSUFFICIENT_SCOPE: Some of the requested `scopes` are not granted by the key, or its scopes do not satisfy `scopeQuery`. RATE_LIMITED: The key's rate limit has no room for `cost` in this window; Retry-After says when to try again. USAGE_EXCEEDED: The key's credits (remaining) are fewer than `cost`. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          RateLimit: components['headers']['RateLimit'];
          'Retry-After': components['headers']['Retry-After'];
          'Keyward-Principal': components['headers']['Keyward-Principal'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['VerifyAnswer'];
        };
      };
      /** @description VALIDATION_FAILED: The body is not an object with a `key` string, or another field is invalid or unknown (a `scopeQuery` that does not parse, say); `errors` names each one. MALFORMED_JSON: The body is not valid JSON. BAD_REQUEST: The request could not be read (a body cut off before its end). */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description UNAUTHENTICATED: No bearer token, or a credential that is unknown, expired or revoked (with `WWW-Authenticate: Bearer`). */
      401: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description FORBIDDEN: The credential is not a `verifier` (nor is the platform operator token). */
      403: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description PAYLOAD_TOO_LARGE: The body is larger than the limit (BODY_LIMIT_BYTES). */
      413: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description UNSUPPORTED_MEDIA_TYPE: The body is not application/json. */
      415: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description IDEMPOTENCY_KEY_REUSED: The Idempotency-Key was sent with another request body by this verifier within the last 60 seconds. */
      422: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      503: components['responses']['ServiceUnavailable'];
    };
  };
  forwardAuth: {
    parameters: {
      query?: {
        /**
         * @description Scopes the request needs, comma-separated (each 1 to 64 characters, at most 100), as `POST /v1/verify`'s `scopes`
         * @example orders:read,orders:write
         */
        scopes?: string;
        /** @description A scope expression, as `POST /v1/verify`'s `scopeQuery` (at most 1,000 characters) */
        scopeQuery?: string;
        /** @description What the request costs (default 1), as `POST /v1/verify`'s `cost` */
        cost?: number;
        /** @description The gateway asking; `nginx` makes both 429s 403 */
        gateway?: 'nginx' | 'envoy' | 'traefik';
      };
      header?: {
        /** @description The client's key, when it did not send `Authorization: Bearer <key>` */
        'X-API-Key'?: string;
        /** @description The client's address */
        'X-Real-IP'?: string;
        /** @description Without X-Real-IP, its first address is taken for the client's */
        'X-Forwarded-For'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description VALID: the request may pass. No body. */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          /**
           * @description The verify code: `VALID` here; on a refusal, why
           * @example VALID
           */
          'Keyward-Code'?: string;
          /**
           * @description The key's id
           * @example 8d5e3c2a-4b1f-4a6e-9c7d-0e2f1a3b5c7d
           */
          'Keyward-Key-Id'?: string;
          /**
           * @description The key's ownerId, when it has one; percent-encoded unless it is printable ASCII without `%` and without a space at either end
           * @example cus_4711
           */
          'Keyward-Owner-Id'?: string;
          /**
           * @description The key's scopes, comma-separated
           * @example billing:*,reports:read,orders:admin
           */
          'Keyward-Scopes'?: string;
          /**
           * @description The key's meta: base64url of its JSON
           * @example eyJwbGFuIjoicHJvIn0
           */
          'Keyward-Meta'?: string;
          'Keyward-Principal': components['headers']['Keyward-Principal'];
          'RateLimit-Policy': components['headers']['RateLimit-Policy'];
          RateLimit: components['headers']['RateLimit'];
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description VALIDATION_FAILED: A parameter of the query is unknown, given twice or has a bad value; `errors` names each one. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description UNAUTHENTICATED: The key is refused: Keyward-Code `MALFORMED`, `NOT_FOUND`, `REVOKED`, `EXPIRED`, `DISABLED` (`MALFORMED` too when no key was sent). `WWW-Authenticate: Bearer error="invalid_token"`, or `Bearer` alone when no key was sent. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description FORBIDDEN: The key may not make this request: Keyward-Code `IP_NOT_ALLOWED`, `INSUFFICIENT_SCOPE`; with `gateway=nginx` also `RATE_LIMITED` (with Retry-After) and `USAGE_EXCEEDED`. */
      403: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description RATE_LIMITED: The key's limits say no: Keyward-Code `RATE_LIMITED`, `USAGE_EXCEEDED`; `Retry-After` with `RATE_LIMITED`. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          'Retry-After': components['headers']['Retry-After'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description VERIFIER_REJECTED: The gateway's `Keyward-Verifier` credential is missing, unknown, revoked, expired or not a `verifier`: a gateway misconfigured, not the client's fault; the verify service logs a warning. */
      502: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      503: components['responses']['ServiceUnavailable'];
    };
  };
}
