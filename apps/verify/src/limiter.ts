// The shared counters of a key (rate window and credits) behind a short time-out, with the
// behaviour VERIFY_LIMITS_ON_REDIS_DOWN selects when Redis does not answer in time.
import { KeyCounters, type ConsumeResult, type VerifiableKey } from '@keyward/keys';
import { FixedTimeout, KEYWARD_CONFIG, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { VerifyMetrics } from './verify-metrics';

const REDIS_TIMEOUT_MS = 250;

export interface LimitOutcome extends Omit<ConsumeResult, 'verdict'> {
  verdict: Exclude<ConsumeResult['verdict'], 'TOO_LATE'>;
  /** True when Redis could not be asked and the configured fallback answered. */
  fallback: boolean;
}

/** How often the estimate of Redis's clock is refreshed (clocks drift slowly). */
const CLOCK_SYNC_INTERVAL_MS = 30_000;
/**
 * The script's deadline falls this long before our time-out: a call Redis runs in time answers
 * before we stop waiting, even with this much error in the estimate of Redis's clock.
 */
const CLOCK_MARGIN_MS = 50;

@Injectable()
export class Limiter implements OnModuleInit, OnModuleDestroy {
  /** Redis's clock minus ours; null until first measured (then calls carry no deadline). */
  private clockOffset: number | null = null;
  private clockTimer?: NodeJS.Timeout;
  private readonly timeout = new FixedTimeout(REDIS_TIMEOUT_MS, 'Redis');
  /**
   * Names this process's calls: with the sequence number it makes each call's id unique across
   * every verify process (64 random bits), at less cost than a UUID per call.
   */
  private readonly callPrefix = randomBytes(8).toString('base64url');
  private callSequence = 0;

  constructor(
    private readonly counters: KeyCounters,
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
   * Checks (and with `consume`, charges) the key's window and credits in one atomic step. Only a
   * VALID verdict is charged, and only once per call, however the command is retried.
   */
  async check(key: VerifiableKey, cost: number, consume: boolean): Promise<LimitOutcome> {
    try {
      const result = await this.timeout.bound(
        this.counters.consume({
          keyId: key.id,
          operationId: `${this.callPrefix}${++this.callSequence}`,
          cost,
          rateLimit: key.rateLimit,
          credits: key.remaining === null ? null : { seedBalance: key.remaining, seedVersion: key.creditsVersion },
          consume,
          // Past our time-out we answer without Redis: a call that runs later must not charge.
          deadline: this.clockOffset === null ? undefined : Date.now() + this.clockOffset + REDIS_TIMEOUT_MS - CLOCK_MARGIN_MS,
        }),
      );
      const { verdict } = result;
      if (verdict === 'TOO_LATE') throw new Error('Redis answered after the deadline');
      return { ...result, verdict, fallback: false };
    } catch {
      this.metrics.storeErrors.inc({ store: 'redis' });
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
}
