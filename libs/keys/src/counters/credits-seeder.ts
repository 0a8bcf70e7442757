// Seeds a credit pool's shared balance in Redis from PostgreSQL, the only source that cannot be
// stale (docs/credits.md): on a pool's first use, and whenever Redis has lost the balance. One
// process at a time seeds a pool (a claim in Redis); the others wait a moment and ask again. A
// verify process writes back its own charges first, so the durable balance includes them; charges
// of other processes not yet written back are taken off Redis's balance when they are.
import { withTimeout } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyUsageRepository } from '../usage/key-usage.repository';
import { KeyCounters, type PoolSpec } from './key-counters';

/** How long a seed may take before the checks waiting on it get the fallback answer. */
export const SEED_TIMEOUT_MS = 2_000;
/** A claim outlives any seed that is still of use: a seeder that died frees the pool after this. */
const SEED_CLAIM_MS = 5_000;
/** How long a process waits before asking again while another one seeds the pool. */
const SEED_WAIT_MS = 10;

@Injectable()
export class CreditsSeeder {
  /** One seed at a time per pool in this process: concurrent checks of a pool wait on the same one. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly tokenPrefix = randomBytes(8).toString('base64url');
  private sequence = 0;
  /** Writes back this process's charges not yet in PostgreSQL (the verify service's write-back). */
  private flushCharges: () => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly counters: KeyCounters,
    private readonly usage: KeyUsageRepository,
  ) {}

  /** Called before every seed, so that the balance read includes this process's own charges. */
  beforeSeed(flush: () => Promise<void>): void {
    this.flushCharges = flush;
  }

  /** Resolves once the pool was seeded here, or another process was found seeding it (then ask again). */
  seed(tenantId: string, tag: string, spec: PoolSpec): Promise<void> {
    let seeding = this.inFlight.get(spec.counter);
    if (!seeding) {
      seeding = withTimeout(this.seedFromStore(tenantId, tag, spec), SEED_TIMEOUT_MS, 'credit balance seed').finally(() =>
        this.inFlight.delete(spec.counter),
      );
      this.inFlight.set(spec.counter, seeding);
    }
    return seeding;
  }

  private async seedFromStore(tenantId: string, tag: string, spec: PoolSpec): Promise<void> {
    const token = `${this.tokenPrefix}${++this.sequence}`;
    if (!(await this.counters.claimSeed(tag, spec.pool, token, SEED_CLAIM_MS))) {
      await sleep(SEED_WAIT_MS);
      return;
    }
    try {
      // Seeded by another process between our check and our claim: nothing to do but ask again.
      // (Seeding over it would replace a balance already being charged with an older reading.)
      const current = await this.counters.readCredits(tag, spec.pool);
      if (current && current.version >= spec.version) {
        await this.counters.releaseSeed(tag, spec.pool, token);
        return;
      }
      await this.flushCharges();
      const durable = await this.usage.seedCredits(tenantId, spec.pool);
      // No credits in PostgreSQL: the record is outdated, and its invalidation is on its way.
      if (durable) await this.counters.seedCredits(tag, spec.pool, durable, token);
      else await this.counters.releaseSeed(tag, spec.pool, token);
    } catch (error) {
      await this.counters.releaseSeed(tag, spec.pool, token).catch(() => undefined);
      throw error;
    }
  }
}
