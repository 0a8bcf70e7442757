// How keys and owners show their named limits and credits (docs/api.md, Rate limits and Credits).
import {
  creditsAt,
  LIMIT_ALGORITHMS,
  LIMIT_APPLY,
  REFILL_INTERVALS,
  type LimitAlgorithm,
  type LimitApply,
  type CreditRefill,
  type RefillInterval,
} from '@keyward/keys';
import { ApiProperty } from '@nestjs/swagger';

export class NamedRateLimitResource {
  @ApiProperty({ example: 'per-second' }) name: string;
  @ApiProperty({ type: 'integer', example: 10 }) limit: number;
  @ApiProperty({ type: 'integer', example: 1 }) windowSeconds: number;
  @ApiProperty({ enum: LIMIT_ALGORITHMS, example: 'fixed' }) algorithm: LimitAlgorithm;
  @ApiProperty({ enum: LIMIT_APPLY, example: 'always' }) apply: LimitApply;
}

export class CreditRefillResource {
  @ApiProperty({ enum: REFILL_INTERVALS, example: 'monthly' }) interval: RefillInterval;
  @ApiProperty({ type: 'integer', description: 'What each refill sets the balance to', example: 10_000 }) amount: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Monthly refills: the day of the month; null for daily ones', example: 1 })
  dayOfMonth: number | null;
}

export class CreditsResource {
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'The balance (within 5 seconds of the credits spent; a refill that is due shows as made)',
    example: 10_000,
  })
  remaining: number;
  @ApiProperty({ type: CreditRefillResource, nullable: true, description: 'null: no refill' }) refill: CreditRefillResource | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the balance was last refilled; null: never' })
  refilledAt: string | null;
}

/** The credit fields keys and owners both store. */
interface CreditsRecord {
  remaining: number | null;
  creditsRefill: CreditRefill | null;
  creditsPeriod: number | null;
  refilledAt: Date | null;
}

/** A pool's credits as the API shows them at `now`: null when unlimited. */
export function toCreditsResource(record: CreditsRecord, now: Date): CreditsResource | null {
  const { remaining, creditsRefill: refill } = record;
  if (remaining === null) return null;
  const current = creditsAt({ remaining, refill, period: record.creditsPeriod, refilledAt: record.refilledAt }, now.getTime());
  return {
    remaining: current.remaining,
    refill: refill ? { interval: refill.interval, amount: refill.amount, dayOfMonth: refill.dayOfMonth } : null,
    refilledAt: current.refilledAt?.toISOString() ?? null,
  };
}
