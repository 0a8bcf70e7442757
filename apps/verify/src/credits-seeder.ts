// Seeds a key's shared credit balance in Redis from PostgreSQL, the only source that cannot be
// stale (docs/credits.md): on a key's first use, and whenever Redis has lost the balance. This
// process's own charges are written back first, so the durable balance includes them; charges of
// other processes not yet written back are taken off Redis's balance when they are.
import { KeyCounters, KeyUsageRepository, type VerifiableKey } from '@keyward/keys';
import { withTimeout } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { CreditsWriteBack } from './credits-write-back';

/** How long a seed may take before the checks waiting on it get the fallback answer. */
export const SEED_TIMEOUT_MS = 2_000;

@Injectable()
export class CreditsSeeder {
  /** One seed at a time per key: concurrent checks of a key wait on the same one. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly counters: KeyCounters,
    private readonly usage: KeyUsageRepository,
    private readonly writeBack: CreditsWriteBack,
  ) {}

  seed(key: VerifiableKey): Promise<void> {
    let seeding = this.inFlight.get(key.id);
    if (!seeding) {
      seeding = withTimeout(this.seedFromStore(key), SEED_TIMEOUT_MS, 'credit balance seed').finally(() => this.inFlight.delete(key.id));
      this.inFlight.set(key.id, seeding);
    }
    return seeding;
  }

  private async seedFromStore(key: VerifiableKey): Promise<void> {
    await this.writeBack.flush();
    const durable = await this.usage.seedCredits(key.tenantId, key.id);
    // No credits in PostgreSQL: the record is outdated, and its invalidation is on its way.
    if (durable) await this.counters.seedCredits(key.id, durable);
  }
}
