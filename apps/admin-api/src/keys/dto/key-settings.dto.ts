import {
  KEY_LIMIT_NAME,
  LIMIT_ALGORITHMS,
  LIMIT_APPLY,
  LIMIT_NAME_PATTERN,
  MAX_RATE_LIMITS,
  MAX_SLIDING_LIMIT,
  REFILL_INTERVALS,
  type LimitAlgorithm,
  type LimitApply,
  type RefillInterval,
} from '@keyward/keys';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

export class RateLimitDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1_000_000_000, description: 'VALID answers allowed per window', example: 100 })
  @Min(1)
  @Max(1_000_000_000)
  @IsInt()
  limit: number;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: 31_536_000,
    description: 'The window: fixed windows aligned to multiples of this many seconds since the Unix epoch',
    example: 60,
  })
  @Min(1)
  @Max(31_536_000)
  @IsInt()
  windowSeconds: number;
}

export class RotationDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: 315_360_000,
    description: 'A successor is made this long after the key was',
    example: 7_776_000,
  })
  @Min(1)
  @Max(315_360_000)
  @IsInt()
  intervalSeconds: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 31_536_000,
    description: 'How long the old key keeps working after a rotation',
    example: 86_400,
  })
  @Min(0)
  @Max(31_536_000)
  @IsInt()
  gracePeriodSeconds: number;
}

export class NamedRateLimitDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 32,
    pattern: LIMIT_NAME_PATTERN.source,
    description: `Unique in the list; \`${KEY_LIMIT_NAME}\` is the v1 rateLimit when fixed and always applied`,
    example: 'per-second',
  })
  @IsString()
  @Matches(LIMIT_NAME_PATTERN, { message: 'must be 1 to 32 characters of a-z 0-9 _ -' })
  name: string;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: 1_000_000_000,
    description: `VALID answers allowed per window; at most ${MAX_SLIDING_LIMIT} for a sliding limit`,
    example: 10,
  })
  @Min(1)
  @Max(1_000_000_000)
  @IsInt()
  limit: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 31_536_000, description: 'The window, in seconds', example: 1 })
  @Min(1)
  @Max(31_536_000)
  @IsInt()
  windowSeconds: number;

  @ApiPropertyOptional({
    enum: LIMIT_ALGORITHMS,
    default: 'fixed',
    description:
      'fixed: windows aligned to multiples of windowSeconds since the Unix epoch; sliding: no interval of windowSeconds holds more',
  })
  @IsOptional()
  @IsIn(LIMIT_ALGORITHMS)
  algorithm?: LimitAlgorithm;

  @ApiPropertyOptional({
    enum: LIMIT_APPLY,
    default: 'always',
    description: 'always: on every verification; on-request: when the verify request names it',
  })
  @IsOptional()
  @IsIn(LIMIT_APPLY)
  apply?: LimitApply;
}

export class CreditRefillDto {
  @ApiProperty({ enum: REFILL_INTERVALS, description: 'daily: at 00:00 UTC; monthly: at 00:00 UTC of dayOfMonth' })
  @IsIn(REFILL_INTERVALS)
  interval: RefillInterval;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'What each refill sets the balance to (it does not add)',
    example: 10_000,
  })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  @IsInt()
  amount: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 31,
    default: 1,
    description: "Monthly refills only: the day of the month (the month's last day where the month is shorter)",
  })
  @IsOptional()
  @Min(1)
  @Max(31)
  @IsInt()
  dayOfMonth?: number;
}

export class CreditsDto {
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'The balance: each VALID answer takes its cost; none left is USAGE_EXCEEDED',
    example: 10_000,
  })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  @IsInt()
  remaining: number;

  @ApiPropertyOptional({ type: CreditRefillDto, nullable: true, description: 'Sets the balance to amount once per period; null: none' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CreditRefillDto)
  refill?: CreditRefillDto | null;
}

/** Optional, but not null. */
const unlessAbsent = () => ValidateIf((_object, value) => value !== undefined);

/** `rateLimits` of keys and owners, optional but not null: the decorators every DTO that takes them shares. */
export function NamedRateLimits(): PropertyDecorator {
  return applyDecorators(
    unlessAbsent(),
    IsArray(),
    ArrayMaxSize(MAX_RATE_LIMITS),
    ValidateNested({ each: true }),
    Type(() => NamedRateLimitDto),
  );
}

/** `credits` of keys and owners, optional; `nullable`: null is allowed (unlimited). */
export function Credits(options: { nullable: boolean }): PropertyDecorator {
  const presence = options.nullable ? IsOptional() : unlessAbsent();
  return applyDecorators(
    presence,
    IsObject(),
    ValidateNested(),
    Type(() => CreditsDto),
  );
}
