import { Metrics } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';

/** The verify service's own figures, in the process's registry next to the HTTP ones. */
@Injectable()
export class VerifyMetrics {
  readonly verifications: Counter<'code'>;
  readonly duration: Histogram;
  readonly cacheHits: Counter<'cache'>;
  readonly cacheMisses: Counter<'cache'>;
  readonly invalidationLag: Histogram;
  readonly storeErrors: Counter<'store'>;

  /** Pre-labelled children for the hot path: labelling a metric per call costs more than the call. */
  readonly keyCacheHits: { inc(): void };
  readonly keyCacheMisses: { inc(): void };
  readonly verifierCacheHits: { inc(): void };
  readonly verifierCacheMisses: { inc(): void };
  private readonly byCode = new Map<string, { inc(): void }>();

  countVerification(code: string): void {
    let child = this.byCode.get(code);
    if (!child) this.byCode.set(code, (child = this.verifications.labels(code)));
    child.inc();
  }

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.verifications = new Counter({ name: 'keyward_verifications_total', help: 'Verifications by answer code', labelNames: ['code'], registers });
    this.duration = new Histogram({
      name: 'keyward_verify_duration_seconds',
      help: 'Server time of POST /v1/verify, from the request to the answer',
      buckets: [0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1],
      registers,
    });
    this.cacheHits = new Counter({ name: 'keyward_verify_cache_hits_total', help: 'Cache hits', labelNames: ['cache'], registers });
    this.cacheMisses = new Counter({ name: 'keyward_verify_cache_misses_total', help: 'Cache misses', labelNames: ['cache'], registers });
    this.invalidationLag = new Histogram({
      name: 'keyward_invalidation_lag_seconds',
      help: 'From the admin API publishing a change to this process receiving it',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    this.keyCacheHits = this.cacheHits.labels('keys');
    this.keyCacheMisses = this.cacheMisses.labels('keys');
    this.verifierCacheHits = this.cacheHits.labels('verifiers');
    this.verifierCacheMisses = this.cacheMisses.labels('verifiers');
    this.storeErrors = new Counter({ name: 'keyward_verify_store_errors_total', help: 'Failed calls to PostgreSQL or Redis', labelNames: ['store'], registers });
  }
}
