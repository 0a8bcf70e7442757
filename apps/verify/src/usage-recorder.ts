// Counts every verification per key, hour and code, and each key's latest VALID use, in memory;
// a flush every second writes them all in one statement. Nothing is written per request.
import { KeyUsageRepository, type UsageCount } from '@keyward/keys';
import { ConnectionStateLog } from '@keyward/platform';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { VerifyMetrics } from './verify-metrics';

const FLUSH_INTERVAL_MS = 1_000;
const HOUR_MS = 3_600_000;

@Injectable()
export class UsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageRecorder.name);
  /** One line when flushes start failing and one when they work again, not one a second (docs/failure-modes.md). */
  private readonly storeState = new ConnectionStateLog(this.logger, 'PostgreSQL (usage flush)');
  /** keyId -> code -> the count of the current hour. */
  private counts = new Map<string, Map<string, UsageCount>>();
  /** Counts of an hour that ended before the next flush. */
  private finished: UsageCount[] = [];
  private lastUsed = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly usage: KeyUsageRepository,
    private readonly metrics: VerifyMetrics,
  ) {}

  record(keyId: string, code: string, now: number): void {
    const hour = now - (now % HOUR_MS);
    let byCode = this.counts.get(keyId);
    if (!byCode) this.counts.set(keyId, (byCode = new Map()));
    const count = byCode.get(code);
    // A count is per hour: one that started in an earlier hour is finished, and stays for the flush under its own id.
    if (count && count.hour === hour) count.count++;
    else {
      if (count) this.finished.push(count);
      byCode.set(code, { keyId, hour, code, count: 1 });
    }
    if (code === 'VALID') this.lastUsed.set(keyId, now);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Writes what was counted since the last flush; on failure it is kept for the next one. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.counts.size === 0 && this.lastUsed.size === 0 && this.finished.length === 0) return;
      const counts = [...this.finished, ...[...this.counts.values()].flatMap((byCode) => [...byCode.values()])];
      const lastUsed = this.lastUsed;
      this.counts = new Map();
      this.finished = [];
      this.lastUsed = new Map();
      try {
        await this.usage.record(
          counts,
          [...lastUsed].map(([keyId, at]) => ({ keyId, at })),
        );
        this.storeState.recovered();
      } catch (error) {
        this.metrics.storeErrors.inc({ store: 'postgres' });
        this.storeState.failed(error, 'keeping the counts for the next flush');
        // Kept as finished counts: the next flush adds them (counts of one key, hour and code add up in SQL).
        this.finished.push(...counts);
        for (const [keyId, at] of lastUsed) this.lastUsed.set(keyId, Math.max(at, this.lastUsed.get(keyId) ?? 0));
      }
    });
    return this.flushing;
  }
}
