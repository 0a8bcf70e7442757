// Key records by keyed hash, in this process: a warm verify of a key without limits touches
// neither PostgreSQL nor the network. Entries are per tenant, so one tenant's miss can never
// answer for another tenant's key.
import { LookUpKeyUseCase, type VerifiableKey } from '@keyward/keys';
import {
  DomainError,
  InvalidatingCache,
  InvalidationSubscriber,
  type InvalidationListener,
  type InvalidationMessage,
} from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { VerifyMetrics } from './verify-metrics';

const MAX_KEYS = 200_000;
const SAFETY_TTL_MS = 60_000;
const NEGATIVE_TTL_MS = 10_000;
const LOAD_TIMEOUT_MS = 2_000;

export class KeyStoreUnavailableError extends DomainError {
  constructor() {
    super('SERVICE_UNAVAILABLE', 'The key store is unavailable; retry shortly.');
  }
}

function timeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

@Injectable()
export class KeyCache implements InvalidationListener {
  private readonly cache: InvalidatingCache<VerifiableKey>;

  constructor(
    private readonly lookUpKey: LookUpKeyUseCase,
    private readonly metrics: VerifyMetrics,
    subscriber: InvalidationSubscriber,
  ) {
    this.cache = new InvalidatingCache<VerifiableKey>({ max: MAX_KEYS, ttlMs: SAFETY_TTL_MS, negativeTtlMs: NEGATIVE_TTL_MS });
    subscriber.register(this);
  }

  /** The key (null: no such key of this tenant); a promise only on a miss. */
  get(tenantId: string, keyHash: Buffer): VerifiableKey | null | Promise<VerifiableKey | null> {
    const cacheKey = `${tenantId}:${keyHash.toString('base64')}`;
    const cached = this.cache.peek(cacheKey);
    if (cached !== undefined) {
      this.metrics.cacheHits.inc({ cache: 'keys' });
      return cached;
    }
    this.metrics.cacheMisses.inc({ cache: 'keys' });
    return this.cache.load(cacheKey, () => this.load(tenantId, keyHash));
  }

  onInvalidation(message: InvalidationMessage): void {
    if (message.kind === 'key') this.cache.invalidate((key) => key.id === message.id);
  }

  onSubscriptionGap(): void {
    this.cache.clear();
  }

  private async load(tenantId: string, keyHash: Buffer): Promise<{ value: VerifiableKey | null }> {
    try {
      return { value: await timeout(this.lookUpKey.execute(tenantId, keyHash), LOAD_TIMEOUT_MS) };
    } catch {
      this.metrics.storeErrors.inc({ store: 'postgres' });
      throw new KeyStoreUnavailableError();
    }
  }
}
