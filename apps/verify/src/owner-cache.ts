// Owner records by tenant and owner id, in this process, beside the key records (docs/api.md,
// Owners): a key with an owner id looks its owner up here, so a warm verification of it touches
// no store but Redis. Negative entries too (most owner ids have no record): creating an owner
// record drops its negative entry everywhere within the invalidation's second.
import { LookUpOwnerUseCase, type VerifiableOwner } from '@keyward/keys';
import {
  InvalidatingCache,
  InvalidationSubscriber,
  KEYWARD_CONFIG,
  type InvalidationListener,
  type InvalidationMessage,
  type KeywardConfig,
} from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { KeyStoreFailures, readStore } from './key-cache';
import { VerifyMetrics } from './verify-metrics';

const NEGATIVE_TTL_MS = 10_000;

@Injectable()
export class OwnerCache implements InvalidationListener {
  private readonly cache: InvalidatingCache<VerifiableOwner>;

  constructor(
    private readonly lookUpOwner: LookUpOwnerUseCase,
    private readonly metrics: VerifyMetrics,
    subscriber: InvalidationSubscriber,
    failures: KeyStoreFailures,
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
  ) {
    this.cache = new InvalidatingCache<VerifiableOwner>({
      max: config.verifyCacheMaxKeys,
      ttlMs: config.verifyCacheTtlMs,
      negativeTtlMs: NEGATIVE_TTL_MS,
      staleWhileFailing: failures,
    });
    subscriber.register(this);
  }

  /** The owner record (null: none), or undefined on a miss. */
  peek(tenantId: string, ownerId: string): VerifiableOwner | null | undefined {
    return this.cache.peek(`${tenantId}\n${ownerId}`);
  }

  load(tenantId: string, ownerId: string): Promise<VerifiableOwner | null> {
    return this.cache.load(`${tenantId}\n${ownerId}`, async () => ({
      value: await readStore(() => this.lookUpOwner.execute(tenantId, ownerId), 'owner look-up', this.metrics),
    }));
  }

  onInvalidation(message: InvalidationMessage): void {
    if (message.kind === 'owner') this.cache.invalidateKey(`${message.tenantId}\n${message.id}`);
  }

  onSubscriptionGap(): void {
    this.cache.clear();
  }
}
