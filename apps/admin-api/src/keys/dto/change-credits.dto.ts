import { CREDIT_OPS, type CreditOp } from '@keyward/keys';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';

/** POST .../credits of keys and owners (docs/api.md, Credits). */
export class ChangeCreditsDto {
  @ApiProperty({
    enum: CREDIT_OPS,
    description: 'increment or decrement the live balance atomically, or set it',
    example: 'increment',
  })
  @IsIn(CREDIT_OPS)
  op: CreditOp;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, example: 100 })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  @IsInt()
  amount: number;
}

export class CreditsChangedResource {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'The balance after the change', example: 10_100 }) remaining: number;
}

type Examples<T> = Record<string, { summary: string; value: T }>;

export const CHANGE_CREDITS_EXAMPLES: Examples<ChangeCreditsDto> = {
  topUp: { summary: 'A top-up, atomic against concurrent verifications', value: { op: 'increment', amount: 100 } },
  charge: { summary: 'Take credits off (409 INSUFFICIENT_CREDITS below zero)', value: { op: 'decrement', amount: 5 } },
  set: { summary: 'Set the balance', value: { op: 'set', amount: 10_000 } },
};

/** What both credits routes answer beside VALIDATION_FAILED and NOT_FOUND. */
export const CHANGE_CREDITS_PROBLEMS = [
  'INSUFFICIENT_CREDITS',
  {
    code: 'CONFLICT',
    when: 'increment or decrement of unlimited credits (set them first), or a revoked key.',
    detail: 'There are no credits to change: set them first (op "set").',
  },
] as const;
