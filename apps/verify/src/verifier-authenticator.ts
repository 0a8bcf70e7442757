// Authenticates the caller of /v1/verify without a database round trip once warm: results are
// cached by the token's keyed hash and dropped on invalidation (credential revoked, tenant
// suspended or resumed), on any gap in the invalidation subscription, and after a safety TTL
// (used past it, though never past the credential's expiry, while PostgreSQL cannot be read).
import { AuthenticateCredentialUseCase } from '@keyward/credentials';
import {
  ForbiddenError,
  InvalidatingCache,
  InvalidationSubscriber,
  KEYWARD_CONFIG,
  UnauthenticatedError,
  type InvalidationListener,
  type InvalidationMessage,
  type Loaded,
  type KeywardConfig,
  type Principal,
} from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { hash } from 'node:crypto';
import { KeyStoreFailures, readStore } from './key-cache';
import { VerifyMetrics } from './verify-metrics';

export type VerifierPrincipal = Extract<Principal, { kind: 'credential' }>;

/** Unknown tokens are remembered briefly, so a client retrying a bad token cannot load PostgreSQL. */
const NEGATIVE_TTL_MS = 5_000;

@Injectable()
export class VerifierAuthenticator implements InvalidationListener {
  private readonly cache: InvalidatingCache<Principal>;

  constructor(
    private readonly authenticateCredential: AuthenticateCredentialUseCase,
    private readonly metrics: VerifyMetrics,
    subscriber: InvalidationSubscriber,
    failures: KeyStoreFailures,
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
  ) {
    this.cache = new InvalidatingCache<Principal>({
      max: 10_000,
      ttlMs: config.verifyCacheTtlMs,
      negativeTtlMs: NEGATIVE_TTL_MS,
      staleWhileFailing: failures,
    });
    subscriber.register(this);
  }

  /** The verifier calling, or a 401/403 domain error. A warm call returns without a promise. */
  authenticate(authorization: string | undefined): VerifierPrincipal | Promise<VerifierPrincipal> {
    return this.authenticateToken(authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '');
  }

  /** As authenticate, for a credential sent bare (a gateway's `Keyward-Verifier` header). */
  authenticateToken(token: string): VerifierPrincipal | Promise<VerifierPrincipal> {
    if (!token) throw new UnauthenticatedError();
    // Cached under a one-shot SHA-256 of the token (in memory only): the plaintext is not kept
    // beyond the request, and the costlier keyed hash is computed only on a miss.
    const cacheKey = hash('sha256', token, 'base64');
    const cached = this.cache.peek(cacheKey);
    if (cached !== undefined) {
      this.metrics.verifierCacheHits.inc();
      return this.admit(cached);
    }
    this.metrics.verifierCacheMisses.inc();
    return this.cache.load(cacheKey, () => this.load(token)).then((principal) => this.admit(principal));
  }

  onInvalidation(message: InvalidationMessage): void {
    if (message.kind !== 'credential' && message.kind !== 'tenant') return;
    this.cache.invalidate(
      (principal) =>
        principal.kind === 'credential' &&
        (message.kind === 'credential' ? principal.credentialId === message.id : principal.tenantId === message.id),
    );
  }

  onSubscriptionGap(): void {
    this.cache.clear();
  }

  private async load(token: string): Promise<Loaded<Principal>> {
    const authentication = await readStore(() => this.authenticateCredential.execute(token), 'credential look-up', this.metrics);
    return authentication ? { value: authentication.principal, validUntil: authentication.expiresAt?.getTime() } : { value: null };
  }

  private admit(principal: Principal | null): VerifierPrincipal {
    if (!principal) throw new UnauthenticatedError();
    if (principal.kind !== 'credential' || principal.role !== 'verifier') {
      throw new ForbiddenError('Only verifier credentials may call the verify service.');
    }
    return principal;
  }
}
