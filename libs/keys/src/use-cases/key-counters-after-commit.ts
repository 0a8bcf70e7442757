import { Injectable, Logger } from '@nestjs/common';
import { KeyCounters, type PoolRef } from '../counters/key-counters';
import type { ApiKey } from '../domain/api-key';
import type { Owner } from '../domain/owner';

/**
 * Puts PATCHed credits into the shared balance at once. Best effort: if Redis is away, the
 * verify processes still replace the older balance when they reload the key (its credits version
 * is newer), within the invalidation's second.
 */
@Injectable()
export class KeyCountersAfterCommit {
  private readonly logger = new Logger(KeyCountersAfterCommit.name);

  constructor(private readonly counters: KeyCounters) {}

  applyPatchedCredits(key: ApiKey): Promise<void> {
    return this.apply(KeyCounters.tagOf(key), { kind: 'key', id: key.id }, key, { keyId: key.id });
  }

  /** The same for an owner's credits set by a PUT. */
  applyOwnerCredits(owner: Owner): Promise<void> {
    return this.apply(KeyCounters.ownerTag(owner.tenantId, owner.ownerId), { kind: 'owner', id: owner.id }, owner, {
      ownerId: owner.ownerId,
    });
  }

  private async apply(
    tag: string,
    pool: PoolRef,
    record: Pick<ApiKey, 'remaining' | 'creditsVersion' | 'creditsSeed' | 'creditsPeriod'>,
    logContext: Record<string, string>,
  ): Promise<void> {
    try {
      await this.counters.setCredits(tag, pool, record.remaining, {
        version: record.creditsVersion,
        seed: record.creditsSeed,
        period: record.creditsPeriod ?? -1,
      });
    } catch (error) {
      this.logger.warn({ err: error, ...logContext }, 'Could not set the shared credit balance; verify will reseed it');
    }
  }
}
