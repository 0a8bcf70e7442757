import { Injectable, Logger } from '@nestjs/common';
import { KeyCounters } from '../counters/key-counters';
import type { ApiKey } from '../domain/api-key';

/**
 * Puts PATCHed credits into the shared balance at once. Best effort: if Redis is away, the
 * verify processes still replace the older balance when they reload the key (its credits version
 * is newer), within the invalidation's second.
 */
@Injectable()
export class KeyCountersAfterCommit {
  private readonly logger = new Logger(KeyCountersAfterCommit.name);

  constructor(private readonly counters: KeyCounters) {}

  async applyPatchedCredits(key: ApiKey): Promise<void> {
    try {
      const tag = KeyCounters.tagOf(key);
      await this.counters.setCredits(tag, { kind: 'key', id: key.id }, key.remaining, {
        version: key.creditsVersion,
        seed: key.creditsSeed,
        period: key.creditsPeriod ?? -1,
      });
    } catch (error) {
      this.logger.warn({ err: error, keyId: key.id }, 'Could not set the shared credit balance; verify will reseed it');
    }
  }
}
