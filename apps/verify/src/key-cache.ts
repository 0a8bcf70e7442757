// Key records by keyed hash, in this process: a warm verify of a key without limits touches
// neither PostgreSQL nor the network. Entries are per tenant, so one tenant's miss can never
// answer for another tenant's key. While PostgreSQL cannot be read, the records cached here are
// used past their safety TTL; revocations still reach them through Redis (docs/failure-modes.md).
import { LookUpKeyUseCase, type VerifiableKey } from '@keyward/keys';
import {
  DomainError,
  InvalidatingCache,
  InvalidationSubscriber,
  KEYWARD_CONFIG,
  KeyedHasher,
  StoreFailures,
  withTimeout,
  type KeywardConfig,
  type InvalidationListener,
  type InvalidationMessage,
} from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { hash } from 'node:crypto';
import { VerifyMetrics } from './verify-metrics';

const NEGATIVE_TTL_MS = 10_000;
/** How long a load from PostgreSQL may take before the request is answered 503 (a hung server must not hang verify). */
export const LOAD_TIMEOUT_MS = 2_000;
/**
 * Once a load from PostgreSQL has failed, how long cached records are used past their safety TTL
 * without trying it again (then one load tries it): a stalled server costs one request
 * LOAD_TIMEOUT_MS per period, not every request.
 */
export const STALE_WHILE_FAILING_MS = 5_000;

/**
 * Whether PostgreSQL is failing, as verify's caches (keys and verifier credentials) have found: one
 * per process, so that a failed load of either makes both serve what they have at once.
 */
@Injectable()
export class KeyStoreFailures extends StoreFailures {
  constructor() {
    super(STALE_WHILE_FAILING_MS);
  }
}

export class KeyStoreUnavailableError extends DomainError {
  constructor() {
    super('SERVICE_UNAVAILABLE', 'The key store is unavailable; retry shortly.', [], 1);
  }
}

/**
 * A read from PostgreSQL for one of verify's caches, bounded by LOAD_TIMEOUT_MS; any failure is counted
 * and becomes KeyStoreUnavailableError (503, or the record last loaded while the store is failing).
 */
export async function readStore<T>(read: () => Promise<T>, what: string, metrics: VerifyMetrics): Promise<T> {
  try {
    return await withTimeout(read(), LOAD_TIMEOUT_MS, what);
  } catch {
    metrics.storeErrors.inc({ store: 'postgres' });
    throw new KeyStoreUnavailableError();
  }
}

@Injectable()
export class KeyCache implements InvalidationListener {
  private readonly cache: InvalidatingCache<VerifiableKey>;

  constructor(
    private readonly lookUpKey: LookUpKeyUseCase,
    private readonly hasher: KeyedHasher,
    private readonly metrics: VerifyMetrics,
    subscriber: InvalidationSubscriber,
    failures: KeyStoreFailures,
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
  ) {
    this.cache = new InvalidatingCache<VerifiableKey>({
      max: config.verifyCacheMaxKeys,
      ttlMs: config.verifyCacheTtlMs,
      negativeTtlMs: NEGATIVE_TTL_MS,
      idOf: (key) => key.id,
      staleWhileFailing: failures,
    });
    subscriber.register(this);
  }

  /** The cached key (null: this tenant has no such key), or undefined on a miss. */
  peek(tenantId: string, plaintextKey: string): VerifiableKey | null | undefined {
    const cached = this.cache.peek(this.cacheKey(tenantId, plaintextKey));
    if (cached !== undefined) this.metrics.keyCacheHits.inc();
    return cached;
  }

  /**
   * Loads a key after a miss: once for all concurrent callers, from PostgreSQL. When PostgreSQL
   * cannot answer, the record last loaded is the answer (if it was not invalidated since), else
   * KeyStoreUnavailableError.
   */
  load(tenantId: string, plaintextKey: string): Promise<VerifiableKey | null> {
    this.metrics.keyCacheMisses.inc();
    return this.cache.load(this.cacheKey(tenantId, plaintextKey), () => this.loadFromStore(tenantId, plaintextKey));
  }

  // In memory only, never stored: a one-shot SHA-256 (a tenth of an HMAC's cost) of the tenant and
  // the key names the entry, so one tenant's entry never answers for another's; the keyed hash is
  // computed on a miss, for the look-up in PostgreSQL. Hashing both at once leaves one flat string
  // for the look-up to hash, where a tenant prefix glued to a digest had to be flattened first.
  private cacheKey(tenantId: string, plaintextKey: string): string {
    return hash('sha256', `${tenantId}:${plaintextKey}`, 'base64');
  }

  onInvalidation(message: InvalidationMessage): void {
    if (message.kind === 'key') this.cache.invalidateId(message.id);
  }

  onSubscriptionGap(): void {
    this.cache.clear();
  }

  private async loadFromStore(tenantId: string, plaintextKey: string): Promise<{ value: VerifiableKey | null }> {
    return { value: await readStore(() => this.lookUpKey.execute(tenantId, this.hasher.hash(plaintextKey)), 'key look-up', this.metrics) };
  }
}
