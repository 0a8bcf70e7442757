// Writes the shared credit balances of the keys this process charged back to PostgreSQL every
// second, each at the version it was read with: a PATCH of `remaining` bumps the version, so a
// write-back read before it can never overwrite the new balance. After a Redis loss the balance is
// reseeded from PostgreSQL, so at most one interval of charges (plus those in flight) is re-granted.
import { KeyCounters, KeyUsageRepository } from '@keyward/keys';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { VerifyMetrics } from './verify-metrics';

export const CREDITS_WRITE_BACK_INTERVAL_MS = 1_000;

@Injectable()
export class CreditsWriteBack implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CreditsWriteBack.name);
  private charged = new Set<string>();
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly counters: KeyCounters,
    private readonly usage: KeyUsageRepository,
    private readonly metrics: VerifyMetrics,
  ) {}

  /** Remembers that this process charged the key's credits. */
  noteCharged(keyId: string): void {
    this.charged.add(keyId);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), CREDITS_WRITE_BACK_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  flush(): Promise<void> {
    this.running = this.running.then(async () => {
      if (this.charged.size === 0) return;
      const keyIds = [...this.charged];
      this.charged = new Set();
      try {
        await this.usage.writeBackCredits(await this.counters.readCredits(keyIds));
      } catch (error) {
        this.metrics.storeErrors.inc({ store: 'postgres' });
        this.logger.warn({ err: error }, 'Credit write-back failed; retrying next interval');
        keyIds.forEach((keyId) => this.charged.add(keyId));
      }
    });
    return this.running;
  }
}
