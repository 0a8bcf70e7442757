import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { MAX_META_BYTES } from '../../keys/dto/create-key.dto';
import { Credits, CreditsDto, NamedRateLimitDto, NamedRateLimits } from '../../keys/dto/key-settings.dto';
import { IsJsonObjectOfAtMost } from '../../keys/dto/key-validators';
import { MAX_RATE_LIMITS } from '@keyward/keys';

/** PUT body: the owner as it is to be. Left out: name null, meta {}, no limits; credits as they were. */
export class PutOwnerDto {
  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 200, nullable: true, example: 'Acme Corp' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `Your data about the owner, shown by verify: a JSON object of at most ${MAX_META_BYTES} bytes`,
    example: { plan: 'enterprise' },
  })
  @ValidateIf((_object, value) => value !== undefined)
  @IsJsonObjectOfAtMost(MAX_META_BYTES)
  meta?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [NamedRateLimitDto],
    maxItems: MAX_RATE_LIMITS,
    description: 'Limits every key of the owner shares',
  })
  @NamedRateLimits()
  rateLimits?: NamedRateLimitDto[];

  @ApiPropertyOptional({
    type: CreditsDto,
    nullable: true,
    description: 'Credits every key of the owner shares; null: unlimited. Left out, or the same as shown: the balance is kept.',
  })
  @Credits({ nullable: true })
  credits?: CreditsDto | null;
}

export const PUT_OWNER_EXAMPLES: Record<string, { summary: string; value: PutOwnerDto }> = {
  shared: {
    summary: 'A burst limit and a monthly quota of credits shared by every key of the owner',
    value: {
      name: 'Acme Corp',
      meta: { plan: 'enterprise' },
      rateLimits: [{ name: 'burst', limit: 100, windowSeconds: 1, algorithm: 'sliding' }],
      credits: { remaining: 100_000, refill: { interval: 'monthly', amount: 100_000, dayOfMonth: 1 } },
    },
  },
  rename: { summary: 'Rename it, keeping its credits (no limits)', value: { name: 'Acme Corporation' } },
};
