import { Injectable, Logger } from '@nestjs/common';
import { KeyCounters } from '../counters/key-counters';
import type { ApiKey } from '../domain/api-key';

/**
 * Puts a PATCHed `remaining` into the shared balance at once. Best effort: if Redis is away, the
 * verify processes still replace the older balance when they reload the key (its credits version
 * is newer), within the invalidation's second.
 */
@Injectable()
export class KeyCountersAfterCommit {
  private readonly logger = new Logger(KeyCountersAfterCommit.name);

  constructor(private readonly counters: KeyCounters) {}

  async applyPatchedCredits(key: ApiKey): Promise<void> {
    try {
      await this.counters.setCredits(key.id, key.remaining, key.creditsVersion, key.creditsSeed);
    } catch (error) {
      this.logger.warn({ err: error, keyId: key.id }, 'Could not set the shared credit balance; verify will reseed it');
    }
  }
}
