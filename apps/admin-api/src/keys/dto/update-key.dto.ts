import { IsDateTime } from '@keyward/platform';
import { MAX_KEY_ROLES, MAX_RATE_LIMITS, MAX_SCOPES } from '@keyward/keys';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MAX_META_BYTES } from './create-key.dto';
import { AreIpAllowlistEntries, AreScopes, IsJsonObjectOfAtMost } from './key-validators';
import { IP_ALLOWLIST_ITEM_SCHEMA, SCOPE_ITEM_SCHEMA } from './key-examples';
import { Credits, CreditsDto, NamedRateLimitDto, NamedRateLimits, RateLimitDto, RotationDto } from './key-settings.dto';

/** Present (even null) means "validate": these fields cannot be cleared. */
const unlessAbsent = ValidateIf((_object, value) => value !== undefined);

/**
 * PATCH body: every field optional. `null` clears expiresAt, rateLimit, remaining and credits
 * (unlimited), ipAllowlist and rotation; name, scopes, roles, meta, rateLimits and enabled cannot be null.
 */
export class UpdateKeyDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, description: 'A new name' })
  @unlessAbsent
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: 'array', items: SCOPE_ITEM_SCHEMA, maxItems: MAX_SCOPES, description: 'Replaces the scopes' })
  @unlessAbsent
  @IsArray()
  @ArrayMaxSize(MAX_SCOPES)
  @AreScopes()
  scopes?: string[];

  @ApiPropertyOptional({
    type: 'array',
    items: SCOPE_ITEM_SCHEMA,
    maxItems: MAX_KEY_ROLES,
    uniqueItems: true,
    description: 'Replaces the roles; [] takes them all off',
  })
  @unlessAbsent
  @IsArray()
  @ArrayMaxSize(MAX_KEY_ROLES)
  @ArrayUnique()
  @AreScopes()
  roles?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `Replaces the meta (at most ${MAX_META_BYTES} bytes as JSON)`,
  })
  @unlessAbsent
  @IsJsonObjectOfAtMost(MAX_META_BYTES)
  meta?: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'A new expiry, in the future; null: never' })
  @IsOptional()
  @IsDateTime()
  expiresAt?: string | null;

  @ApiPropertyOptional({ type: RateLimitDto, nullable: true, description: 'A new rate limit; null: none' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RateLimitDto)
  rateLimit?: RateLimitDto | null;

  @ApiPropertyOptional({
    type: [NamedRateLimitDto],
    maxItems: MAX_RATE_LIMITS,
    description: 'Replaces every named limit ([]: none); rateLimit alone replaces only the one named `key`',
  })
  @NamedRateLimits()
  rateLimits?: NamedRateLimitDto[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    nullable: true,
    description: 'Sets the credits exactly (credits.remaining), keeping their refill; null: unlimited',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  remaining?: number | null;

  @ApiPropertyOptional({ type: CreditsDto, nullable: true, description: 'Replaces the balance and its refill; null: unlimited' })
  @Credits({ nullable: true })
  credits?: CreditsDto | null;

  @ApiPropertyOptional({
    type: 'array',
    items: IP_ALLOWLIST_ITEM_SCHEMA,
    maxItems: 100,
    nullable: true,
    description: 'Replaces the IP allowlist; null: none',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @AreIpAllowlistEntries()
  ipAllowlist?: string[] | null;

  @ApiPropertyOptional({ type: RotationDto, nullable: true, description: 'A new rotation schedule; null: none' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RotationDto)
  rotation?: RotationDto | null;

  @ApiPropertyOptional({ description: 'false disables the key (verify answers DISABLED); true enables it again' })
  @unlessAbsent
  @IsBoolean()
  enabled?: boolean;
}
