// Authenticates the caller of /v1/verify without a database round trip once warm: results are
// cached by the token's keyed hash and dropped on invalidation (credential revoked, tenant
// suspended or resumed), on any gap in the invalidation subscription, and after a safety TTL.
import { AuthenticateCredentialUseCase } from '@keyward/credentials';
import {
  ForbiddenError,
  InvalidationSubscriber,
  KeyedHasher,
  UnauthenticatedError,
  type InvalidationListener,
  type InvalidationMessage,
  type Principal,
} from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';

type VerifierPrincipal = Extract<Principal, { kind: 'credential' }>;

interface CachedAuthentication {
  principal: Principal | null;
  /** Epoch ms after which the entry must not be used (credential expiry or safety TTL). */
  validUntil: number;
}

const SAFETY_TTL_MS = 60_000;
/** Unknown tokens are remembered briefly, so a client retrying a bad token cannot load PostgreSQL. */
const NEGATIVE_TTL_MS = 5_000;

@Injectable()
export class VerifierAuthenticator implements InvalidationListener {
  private readonly cache = new LRUCache<string, CachedAuthentication>({ max: 10_000 });
  private readonly loading = new Map<string, Promise<CachedAuthentication>>();
  /**
   * Bumped by every invalidation: a look-up that started before one may have read the old state,
   * so its result is returned but not cached.
   */
  private generation = 0;

  constructor(
    private readonly authenticateCredential: AuthenticateCredentialUseCase,
    private readonly hasher: KeyedHasher,
    subscriber: InvalidationSubscriber,
  ) {
    subscriber.register(this);
  }

  /** The verifier calling, or a 401/403 domain error. */
  async authenticate(authorization: string | undefined, now = Date.now()): Promise<VerifierPrincipal> {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
    if (!token) throw new UnauthenticatedError();
    const cacheKey = this.hasher.hash(token).toString('base64');
    let entry = this.cache.get(cacheKey);
    if (!entry || entry.validUntil <= now) entry = await this.load(cacheKey, token, now);
    const principal = entry.principal;
    if (!principal) throw new UnauthenticatedError();
    if (principal.kind !== 'credential' || principal.role !== 'verifier') {
      throw new ForbiddenError('Only verifier credentials may call the verify service.');
    }
    return principal;
  }

  onInvalidation(message: InvalidationMessage): void {
    if (message.kind === 'key') return;
    this.generation++;
    for (const [cacheKey, entry] of this.cache.entries()) {
      const principal = entry.principal;
      if (principal?.kind !== 'credential') continue;
      const affected = message.kind === 'credential' ? principal.credentialId === message.id : principal.tenantId === message.id;
      if (affected) this.cache.delete(cacheKey);
    }
  }

  onSubscriptionGap(): void {
    this.generation++;
    this.cache.clear();
  }

  /** Concurrent misses for one token share one look-up. */
  private load(cacheKey: string, token: string, now: number): Promise<CachedAuthentication> {
    const pending = this.loading.get(cacheKey);
    if (pending) return pending;
    const generationAtStart = this.generation;
    const loaded = this.authenticateCredential
      .execute(token, new Date(now))
      .then((authentication) => {
        const entry: CachedAuthentication = authentication
          ? {
              principal: authentication.principal,
              validUntil: Math.min(now + SAFETY_TTL_MS, authentication.expiresAt?.getTime() ?? Infinity),
            }
          : { principal: null, validUntil: now + NEGATIVE_TTL_MS };
        if (this.generation === generationAtStart) this.cache.set(cacheKey, entry);
        return entry;
      })
      .finally(() => this.loading.delete(cacheKey));
    this.loading.set(cacheKey, loaded);
    return loaded;
  }
}
