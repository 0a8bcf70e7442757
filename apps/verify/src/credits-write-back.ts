// Writes the credits this process charged back to PostgreSQL every second, as amounts tagged with
// the version, seed and refill period of the balance they were taken from (docs/credits.md). A
// change of credits through the API bumps the version, so charges against the balance it replaced
// are dropped; a batch is written at most once, however often it is retried; and charges PostgreSQL
// reports as made against an older seed than the pool's current one are also taken off Redis's
// current balance.
import {
  CreditsSeeder,
  KeyCounters,
  KeyUsageRepository,
  refillPeriodStart,
  type CreditsCharge,
  type CreditsTag,
  type PoolSpec,
} from '@keyward/keys';
import { ConnectionStateLog } from '@keyward/platform';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { VerifyMetrics } from './verify-metrics';

export const CREDITS_WRITE_BACK_INTERVAL_MS = 1_000;

/** A charge, with the hash tag of its pool's counters (for a late charge to reach Redis). */
interface TaggedCharge extends CreditsCharge {
  hashTag: string;
}

@Injectable()
export class CreditsWriteBack implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CreditsWriteBack.name);
  /** One line when write-backs start failing and one when they work again, not one a second (docs/failure-modes.md). */
  private readonly storeState = new ConnectionStateLog(this.logger, 'PostgreSQL (credit write-back)');
  /** Charges not yet in a batch, summed by pool, version, seed and period. */
  private charges = new Map<string, TaggedCharge>();
  /** The batch being written: kept, with its id, until PostgreSQL has taken it. */
  private batch: { id: string; charges: TaggedCharge[] } | null = null;
  /** Charges PostgreSQL returned as not in Redis's current balance, until Redis has taken them. */
  private lateCharges: TaggedCharge[] = [];
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly counters: KeyCounters,
    private readonly usage: KeyUsageRepository,
    private readonly metrics: VerifyMetrics,
    seeder: CreditsSeeder,
  ) {
    // A seed reads PostgreSQL's balance: this process's own charges must be in it first.
    seeder.beforeSeed(() => this.flush());
  }

  /** Remembers `amount` credits charged to the pool's balance of `tag`, as the charge script answered. */
  noteCharged(hashTag: string, spec: PoolSpec, tag: CreditsTag, amount: number): void {
    if (amount <= 0) return;
    const id = `${spec.counter}:${tag.version}:${tag.seed}:${tag.period}`;
    const charge = this.charges.get(id);
    if (charge) charge.amount += amount;
    else {
      const periodStart = spec.refill && tag.period >= 0 ? refillPeriodStart(spec.refill, tag.period) : null;
      this.charges.set(id, { pool: spec.pool, ...tag, periodStart, amount, hashTag });
    }
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), CREDITS_WRITE_BACK_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Writes back what was charged so far; resolves when done (or failed, to be retried next interval). */
  flush(): Promise<void> {
    this.running = this.running.then(() => this.writeBack());
    return this.running;
  }

  private async writeBack(): Promise<void> {
    if (!this.batch && this.charges.size > 0) {
      this.batch = { id: randomUUID(), charges: [...this.charges.values()] };
      this.charges = new Map();
    }
    if (this.batch) {
      try {
        const late = await this.usage.chargeCredits(this.batch.id, this.batch.charges);
        for (const charge of late) {
          const hashTag = this.batch.charges.find((c) => c.pool.id === charge.pool.id && c.pool.kind === charge.pool.kind)!.hashTag;
          this.lateCharges.push({ ...charge, hashTag });
        }
        this.batch = null;
        this.storeState.recovered();
      } catch (error) {
        this.metrics.storeErrors.inc({ store: 'postgres' });
        this.storeState.failed(error, 'retrying the same batch every second');
      }
    }
    if (this.lateCharges.length > 0) {
      const lateCharges = this.lateCharges;
      this.lateCharges = [];
      const outcomes = await Promise.allSettled(lateCharges.map((charge) => this.counters.applyCharge(charge.hashTag, charge)));
      outcomes.forEach((outcome, i) => outcome.status === 'rejected' && this.lateCharges.push(lateCharges[i]));
      if (this.lateCharges.length > 0) this.metrics.storeErrors.inc({ store: 'redis' });
    }
  }
}
