import { FixedBucketHistogram, Metrics, type HistogramSeries } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';

/**
 * A count the hot path bumps as a plain number; its counter takes it up when /metrics is scraped
 * (prom-client's collect hook), so a scrape shows every count made before it. A prom-client
 * counter's inc() hashes its labels on every call, a cost paid three times per verification.
 */
class PendingCount {
  private pending = 0;

  inc(): void {
    this.pending++;
  }

  take(): number {
    const taken = this.pending;
    this.pending = 0;
    return taken;
  }
}

/** A counter whose hot-path counts are PendingCounts, one per label value. */
function countedOnScrape<L extends string>(config: {
  name: string;
  help: string;
  labelName: L;
  registers: Metrics['registry'][];
}): {
  counter: Counter<L>;
  pending: (labelValue: string) => PendingCount;
} {
  const pendings = new Map<string, PendingCount>();
  const counter = new Counter<L>({
    name: config.name,
    help: config.help,
    labelNames: [config.labelName],
    registers: config.registers,
    collect(this: Counter<L>) {
      for (const [labelValue, pending] of pendings) {
        const taken = pending.take();
        if (taken > 0) this.inc({ [config.labelName]: labelValue } as Partial<Record<L, string>>, taken);
      }
    },
  });
  const pending = (labelValue: string): PendingCount => {
    let count = pendings.get(labelValue);
    if (!count) pendings.set(labelValue, (count = new PendingCount()));
    return count;
  };
  return { counter, pending };
}

/** The verify service's own figures, in the process's registry next to the HTTP ones. */
@Injectable()
export class VerifyMetrics {
  readonly verifications: Counter<'code'>;
  readonly duration: FixedBucketHistogram;
  readonly cacheHits: Counter<'cache'>;
  readonly cacheMisses: Counter<'cache'>;
  readonly invalidationLag: Histogram;
  readonly storeErrors: Counter<'store'>;

  /** What the hot path calls: no label look-up, no hashing. */
  readonly verifyDuration: HistogramSeries;
  readonly keyCacheHits: PendingCount;
  readonly keyCacheMisses: PendingCount;
  readonly verifierCacheHits: PendingCount;
  readonly verifierCacheMisses: PendingCount;
  private readonly verificationsByCode: (code: string) => PendingCount;

  countVerification(code: string): void {
    this.verificationsByCode(code).inc();
  }

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    const verifications = countedOnScrape({
      name: 'keyward_verifications_total',
      help: 'Verifications by answer code',
      labelName: 'code',
      registers,
    });
    this.verifications = verifications.counter;
    this.verificationsByCode = verifications.pending;
    this.duration = new FixedBucketHistogram({
      name: 'keyward_verify_duration_seconds',
      help: 'Server time of POST /v1/verify, from the request to the answer',
      buckets: [0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1],
      registers,
    });
    this.verifyDuration = this.duration.labels({});
    const hits = countedOnScrape({ name: 'keyward_verify_cache_hits_total', help: 'Cache hits', labelName: 'cache', registers });
    const misses = countedOnScrape({ name: 'keyward_verify_cache_misses_total', help: 'Cache misses', labelName: 'cache', registers });
    this.cacheHits = hits.counter;
    this.cacheMisses = misses.counter;
    this.keyCacheHits = hits.pending('keys');
    this.keyCacheMisses = misses.pending('keys');
    this.verifierCacheHits = hits.pending('verifiers');
    this.verifierCacheMisses = misses.pending('verifiers');
    this.invalidationLag = new Histogram({
      name: 'keyward_invalidation_lag_seconds',
      help: 'From the admin API publishing a change to this process receiving it',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    this.storeErrors = new Counter({
      name: 'keyward_verify_store_errors_total',
      help: 'Failed calls to PostgreSQL or Redis',
      labelNames: ['store'],
      registers,
    });
  }
}
