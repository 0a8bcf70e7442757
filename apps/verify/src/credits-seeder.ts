// Seeds a key's shared credit balance in Redis from PostgreSQL, the only source that cannot be
// stale (docs/credits.md): on a key's first use, and whenever Redis has lost the balance. One
// process at a time seeds a key (a claim in Redis); the others wait a moment and ask again. The
// seeder writes back its own charges first, so the durable balance includes them; charges of other
// processes not yet written back are taken off Redis's balance when they are.
import { KeyCounters, KeyUsageRepository, type VerifiableKey } from '@keyward/keys';
import { withTimeout } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreditsWriteBack } from './credits-write-back';

/** How long a seed may take before the checks waiting on it get the fallback answer. */
export const SEED_TIMEOUT_MS = 2_000;
/** A claim outlives any seed that is still of use: a seeder that died frees the key after this. */
const SEED_CLAIM_MS = 5_000;
/** How long a process waits before asking again while another one seeds the key. */
const SEED_WAIT_MS = 10;

@Injectable()
export class CreditsSeeder {
  /** One seed at a time per key in this process: concurrent checks of a key wait on the same one. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly tokenPrefix = randomBytes(8).toString('base64url');
  private sequence = 0;

  constructor(
    private readonly counters: KeyCounters,
    private readonly usage: KeyUsageRepository,
    private readonly writeBack: CreditsWriteBack,
  ) {}

  /** Resolves once the key was seeded here, or another process was found seeding it (then ask again). */
  seed(key: VerifiableKey): Promise<void> {
    let seeding = this.inFlight.get(key.id);
    if (!seeding) {
      seeding = withTimeout(this.seedFromStore(key), SEED_TIMEOUT_MS, 'credit balance seed').finally(() => this.inFlight.delete(key.id));
      this.inFlight.set(key.id, seeding);
    }
    return seeding;
  }

  private async seedFromStore(key: VerifiableKey): Promise<void> {
    const token = `${this.tokenPrefix}${++this.sequence}`;
    if (!(await this.counters.claimSeed(key.id, token, SEED_CLAIM_MS))) {
      await sleep(SEED_WAIT_MS);
      return;
    }
    try {
      // Seeded by another process between our check and our claim: nothing to do but ask again.
      // (Seeding over it would replace a balance already being charged with an older reading.)
      const current = await this.counters.readCredits(key.id);
      if (current && current.version >= key.creditsVersion) {
        await this.counters.releaseSeed(key.id, token);
        return;
      }
      await this.writeBack.flush();
      const durable = await this.usage.seedCredits(key.tenantId, key.id);
      // No credits in PostgreSQL: the record is outdated, and its invalidation is on its way.
      if (durable) await this.counters.seedCredits(key.id, durable, token);
      else await this.counters.releaseSeed(key.id, token);
    } catch (error) {
      await this.counters.releaseSeed(key.id, token).catch(() => undefined);
      throw error;
    }
  }
}
