// The shared counters of a key (rate window and credits) behind a short time-out, with the
// behaviour VERIFY_LIMITS_ON_REDIS_DOWN selects when Redis does not answer in time. The checks
// made in one turn of the event loop go to Redis as one batch (on a cluster, one per key, as a
// script runs on one slot): under load, one script call per turn instead of one per verification.
// A key whose credit balance Redis does not hold is seeded from PostgreSQL, then checked again.
import { KeyCounters, type ConsumeResult, type VerifiableKey } from '@keyward/keys';
import { FixedTimeout, KEYWARD_CONFIG, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { CreditsSeeder, SEED_TIMEOUT_MS } from './credits-seeder';
import { CreditsWriteBack } from './credits-write-back';
import { VerifyMetrics } from './verify-metrics';

const REDIS_TIMEOUT_MS = 250;

export interface LimitOutcome extends Omit<ConsumeResult, 'verdict' | 'creditsTag'> {
  verdict: Exclude<ConsumeResult['verdict'], 'TOO_LATE' | 'UNSEEDED'>;
  /** True when Redis could not be asked and the configured fallback answered. */
  fallback: boolean;
}

/** The most keys in one batch: bounds how long one script holds Redis (a few µs per key). */
const MAX_KEYS_PER_BATCH = 64;

/** How often the estimate of Redis's clock is refreshed (clocks drift slowly). */
const CLOCK_SYNC_INTERVAL_MS = 30_000;
/**
 * The script's deadline falls this long before our time-out: a call Redis runs in time answers
 * before we stop waiting, even with this much error in the estimate of Redis's clock.
 */
const CLOCK_MARGIN_MS = 50;

interface PendingCheck {
  cost: number;
  consume: boolean;
  settle: (outcome: LimitOutcome) => void;
  /** When this check first found its key's balance missing (epoch ms); it waits for a seed at most SEED_TIMEOUT_MS. */
  unseededSince: number | null;
}

@Injectable()
export class Limiter implements OnModuleInit, OnModuleDestroy {
  /**
   * The checks waiting for this turn's batch, by key record: a record is replaced when its key
   * changes, so the calls of one key in a batch share one limit and one seed of the balance.
   */
  private pending = new Map<VerifiableKey, PendingCheck[]>();
  private flushScheduled = false;
  /** Redis's clock minus ours; null until first measured (then calls carry no deadline). */
  private clockOffset: number | null = null;
  private clockTimer?: NodeJS.Timeout;
  private readonly timeout = new FixedTimeout(REDIS_TIMEOUT_MS, 'Redis');
  /**
   * Names this process's batches: with the sequence number it makes each batch's id unique across
   * every verify process (64 random bits), at less cost than a UUID per batch.
   */
  private readonly callPrefix = randomBytes(8).toString('base64url');
  private callSequence = 0;

  constructor(
    private readonly counters: KeyCounters,
    private readonly seeder: CreditsSeeder,
    private readonly creditsWriteBack: CreditsWriteBack,
    private readonly metrics: VerifyMetrics,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  onModuleInit(): void {
    // Measured again every interval; retried each second until the first measure succeeds (at
    // boot the Redis connection may not be up yet).
    const sync = (): void => {
      this.counters.redisClockOffset().then(
        (offset) => {
          this.clockOffset = offset;
          this.clockTimer = setTimeout(sync, CLOCK_SYNC_INTERVAL_MS).unref();
        },
        () => {
          this.clockTimer = setTimeout(sync, this.clockOffset === null ? 1_000 : CLOCK_SYNC_INTERVAL_MS).unref();
        },
      );
    };
    sync();
  }

  onModuleDestroy(): void {
    clearTimeout(this.clockTimer);
  }

  /**
   * Checks (and with `consume`, charges) the key's window and credits; only a VALID verdict is
   * charged, and only once, however the batch it goes in is retried. The checks of one turn are
   * decided in the order they were made, each on the counters the ones before it left.
   */
  check(key: VerifiableKey, cost: number, consume: boolean): Promise<LimitOutcome> {
    return new Promise((settle) => this.enqueue(key, { cost, consume, settle, unseededSince: null }));
  }

  private enqueue(key: VerifiableKey, check: PendingCheck): void {
    let checks = this.pending.get(key);
    if (!checks) this.pending.set(key, (checks = []));
    checks.push(check);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // After this turn's I/O callbacks: every request read in this turn joins its key's batch.
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const pending = [...this.pending];
    this.pending = new Map();
    const perBatch = this.config.redis.mode === 'cluster' ? 1 : MAX_KEYS_PER_BATCH;
    for (let i = 0; i < pending.length; i += perBatch) void this.send(pending.slice(i, i + perBatch));
  };

  private async send(batch: Array<[VerifiableKey, PendingCheck[]]>): Promise<void> {
    const request = this.counters.consumeBatch({
      operationId: `${this.callPrefix}${++this.callSequence}`,
      // Past our time-out we answer without Redis: a batch that runs later must not charge.
      deadline: this.clockOffset === null ? undefined : Date.now() + this.clockOffset + REDIS_TIMEOUT_MS - CLOCK_MARGIN_MS,
      keys: batch.map(([key, checks]) => ({
        keyId: key.id,
        rateLimit: key.rateLimit,
        credits: key.remaining === null ? null : { version: key.creditsVersion },
        calls: checks,
      })),
    });
    // What Redis charged is written back even when it answers after our time-out.
    request.then((results) => this.noteCharges(batch, results)).catch(() => undefined);
    let results: ConsumeResult[][] | null;
    try {
      results = await this.timeout.bound(request);
      if (results[0][0].verdict === 'TOO_LATE') throw new Error('Redis answered after the deadline');
    } catch {
      results = null;
    }
    batch.forEach(([key, checks], k) => {
      if (results?.[k][0].verdict === 'UNSEEDED') return this.seedThenRetry(key, checks);
      for (let i = 0; i < checks.length; i++) {
        const result = results?.[k][i];
        checks[i].settle(result ? { ...result, verdict: result.verdict as LimitOutcome['verdict'], fallback: false } : this.fallback());
      }
    });
  }

  private noteCharges(batch: Array<[VerifiableKey, PendingCheck[]]>, results: ConsumeResult[][]): void {
    batch.forEach(([key, checks], k) => {
      checks.forEach((check, i) => {
        const { verdict, creditsTag } = results[k][i];
        if (verdict === 'VALID' && check.consume && creditsTag) this.creditsWriteBack.noteCharged(key.id, creditsTag, check.cost);
      });
    });
  }

  /**
   * Seeds the key's balance from PostgreSQL (or waits while another process does), then asks
   * again; a check that has waited SEED_TIMEOUT_MS in all gets the fallback answer.
   */
  private seedThenRetry(key: VerifiableKey, checks: PendingCheck[]): void {
    const now = Date.now();
    for (const check of checks) check.unseededSince ??= now;
    this.seeder.seed(key).then(
      () => {
        const late = Date.now() - SEED_TIMEOUT_MS;
        for (const check of checks) {
          if (check.unseededSince! < late) check.settle(this.fallback('postgres'));
          else this.enqueue(key, check);
        }
      },
      () => {
        for (const check of checks) check.settle(this.fallback('postgres'));
      },
    );
  }

  /** What a check answers when Redis (or, to seed a balance, PostgreSQL) could not be asked in time. */
  private fallback(store: 'redis' | 'postgres' = 'redis'): LimitOutcome {
    this.metrics.storeErrors.inc({ store });
    return {
      verdict: this.config.verifyLimitsOnRedisDown === 'allow' ? 'VALID' : 'RATE_LIMITED',
      windowRemaining: null,
      windowResetAt: null,
      windowResetInMs: null,
      balance: null,
      fallback: true,
    };
  }
}
