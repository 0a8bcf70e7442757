// The shared counters of a key (rate window and credits) behind a short time-out, with the
// behaviour VERIFY_LIMITS_ON_REDIS_DOWN selects when Redis does not answer in time.
import { KeyCounters, type ConsumeResult, type VerifiableKey } from '@keyward/keys';
import { KEYWARD_CONFIG, withTimeout, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { VerifyMetrics } from './verify-metrics';

const REDIS_TIMEOUT_MS = 250;

export interface LimitOutcome extends ConsumeResult {
  /** True when Redis could not be asked and the configured fallback answered. */
  fallback: boolean;
}

@Injectable()
export class Limiter {
  constructor(
    private readonly counters: KeyCounters,
    private readonly metrics: VerifyMetrics,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  /**
   * Checks (and with `consume`, charges) the key's window and credits in one atomic step. Only a
   * VALID verdict is charged, and only once per call, however the command is retried.
   */
  async check(key: VerifiableKey, cost: number, consume: boolean): Promise<LimitOutcome> {
    try {
      const result = await withTimeout(
        this.counters.consume({
          keyId: key.id,
          operationId: randomUUID(),
          cost,
          rateLimit: key.rateLimit,
          credits: key.remaining === null ? null : { seedBalance: key.remaining, seedVersion: key.creditsVersion },
          consume,
        }),
        REDIS_TIMEOUT_MS,
      );
      return { ...result, fallback: false };
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
