// Counts every verification per key, hour and code, and each key's latest VALID use, in memory;
// a flush every second writes them all in one statement. Nothing is written per request. The same
// statement carries what the usage signals need of verify (docs/api.md, Usage signals): each key's
// most used limit window of the hour, and the networks of its VALID verifications that named an ip.
import {
  KeyUsageRepository,
  percentOfLimitUsed,
  sourceNetworkOf,
  type LimitPeakFact,
  type NetworkFact,
  type UsageCount,
} from '@keyward/keys';
import { ConnectionStateLog } from '@keyward/platform';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { LimitOutcome } from './limiter';
import { VerifyMetrics } from './verify-metrics';

const FLUSH_INTERVAL_MS = 1_000;
const HOUR_MS = 3_600_000;
/**
 * The (key, ip) pairs whose network was recorded this hour, not recorded again before the next:
 * a caller verifying from one address pays for one parse an hour. Bounded: the busiest pairs.
 */
const RECENT_SOURCES_KEPT = 50_000;
/** The most networks one flush carries per key, and in all: a key verified from everywhere at once costs a bounded write. */
const NETWORKS_PER_KEY_PER_FLUSH = 16;
const NETWORKS_PER_FLUSH = 20_000;

interface Peak extends LimitPeakFact {
  /** Written by a flush already (a lower share of the same hour is then not written again). */
  written: boolean;
}

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
  /** keyId -> its most used limit window of the hour. */
  private peaks = new Map<string, Peak>();
  /** The networks to record, by `keyId network`. */
  private networks = new Map<string, NetworkFact>();
  private networksPerKey = new Map<string, number>();
  private readonly recentSources = new LRUCache<string, number>({ max: RECENT_SOURCES_KEPT });
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly usage: KeyUsageRepository,
    private readonly metrics: VerifyMetrics,
  ) {}

  /**
   * Counts one answer. `limits`: the limit windows it reported, if any (key.limit_near); `ip`: the
   * request's, if it named one (key.new_source, VALID answers only). Without either, nothing more
   * than the count is done.
   */
  record(keyId: string, code: string, now: number, limits?: LimitOutcome | null, ip?: string): void {
    const hour = now - (now % HOUR_MS);
    if (limits?.limits) this.notePeak(keyId, hour, limits);
    if (ip !== undefined && code === 'VALID') this.noteSource(keyId, hour, ip, now);
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

  private notePeak(keyId: string, hour: number, { plan, limits }: LimitOutcome): void {
    let most = -1;
    let at = 0;
    for (let i = 0; i < limits!.length; i++) {
      const percent = percentOfLimitUsed(plan.limits[i].limit.limit, limits![i].remaining);
      if (percent > most) {
        most = percent;
        at = i;
      }
    }
    const known = this.peaks.get(keyId);
    if (most < 0 || (known && known.hour === hour && known.percentUsed >= most)) return;
    const { name, scope } = plan.limits[at];
    this.peaks.set(keyId, { keyId, hour, scope, limitName: name, percentUsed: most, written: false });
  }

  private noteSource(keyId: string, hour: number, ip: string, now: number): void {
    const pair = `${keyId} ${ip}`;
    if (this.recentSources.get(pair) === hour) return;
    const network = sourceNetworkOf(ip);
    if (network === null) return;
    const id = `${keyId} ${network}`;
    const known = this.networks.get(id);
    if (known) known.at = now;
    else {
      const perKey = this.networksPerKey.get(keyId) ?? 0;
      if (perKey >= NETWORKS_PER_KEY_PER_FLUSH || this.networks.size >= NETWORKS_PER_FLUSH) return; // the next flush takes it
      this.networksPerKey.set(keyId, perKey + 1);
      this.networks.set(id, { keyId, network, at: now });
    }
    this.recentSources.set(pair, hour);
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
      const peaks = this.peaksToWrite();
      if (
        this.counts.size === 0 &&
        this.lastUsed.size === 0 &&
        this.finished.length === 0 &&
        peaks.length === 0 &&
        this.networks.size === 0
      )
        return;
      const counts = [...this.finished, ...[...this.counts.values()].flatMap((byCode) => [...byCode.values()])];
      const lastUsed = this.lastUsed;
      const networks = [...this.networks.values()];
      this.counts = new Map();
      this.finished = [];
      this.lastUsed = new Map();
      this.networks = new Map();
      this.networksPerKey = new Map();
      try {
        await this.usage.record(
          counts,
          [...lastUsed].map(([keyId, at]) => ({ keyId, at })),
          { peaks: peaks.map(({ written: _, ...peak }) => peak), networks },
        );
        for (const peak of peaks) peak.written = true;
        this.storeState.recovered();
      } catch (error) {
        this.metrics.storeErrors.inc({ store: 'postgres' });
        this.storeState.failed(error, 'keeping the counts for the next flush');
        // Kept as finished counts: the next flush adds them (counts of one key, hour and code add up in SQL).
        this.finished.push(...counts);
        for (const [keyId, at] of lastUsed) this.lastUsed.set(keyId, Math.max(at, this.lastUsed.get(keyId) ?? 0));
        // Unwritten peaks stay unwritten for the next flush; so do the networks, within the bound.
        for (const fact of networks) {
          const id = `${fact.keyId} ${fact.network}`;
          if (!this.networks.has(id) && this.networks.size < NETWORKS_PER_FLUSH) this.networks.set(id, fact);
        }
      }
    });
    return this.flushing;
  }

  /** The peaks not written yet; those of an hour that has ended are written once more if they must, then forgotten. */
  private peaksToWrite(): Peak[] {
    const now = Date.now();
    const hour = now - (now % HOUR_MS);
    const due: Peak[] = [];
    for (const [keyId, peak] of this.peaks) {
      if (!peak.written) due.push(peak);
      else if (peak.hour < hour) this.peaks.delete(keyId);
    }
    return due;
  }
}
