import { IsDateTime } from '@keyward/platform';
import { MAX_SCOPES } from '@keyward/keys';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
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
import { RateLimitDto, RotationDto } from './key-settings.dto';

/** Present (even null) means "validate": these fields cannot be cleared. */
const unlessAbsent = ValidateIf((_object, value) => value !== undefined);

/**
 * PATCH body: every field optional. `null` clears expiresAt, rateLimit, remaining (unlimited),
 * ipAllowlist and rotation; name, scopes, meta and enabled cannot be null.
 */
export class UpdateKeyDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @unlessAbsent
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_SCOPES })
  @unlessAbsent
  @IsArray()
  @ArrayMaxSize(MAX_SCOPES)
  @AreScopes()
  scopes?: string[];

  @ApiPropertyOptional({ type: Object })
  @unlessAbsent
  @IsJsonObjectOfAtMost(MAX_META_BYTES)
  meta?: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @IsOptional()
  @IsDateTime()
  expiresAt?: string | null;

  @ApiPropertyOptional({ type: RateLimitDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RateLimitDto)
  rateLimit?: RateLimitDto | null;

  @ApiPropertyOptional({ type: Number, minimum: 0, nullable: true, description: 'Sets the balance exactly; null = unlimited' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  remaining?: number | null;

  @ApiPropertyOptional({ type: [String], nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @AreIpAllowlistEntries()
  ipAllowlist?: string[] | null;

  @ApiPropertyOptional({ type: RotationDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RotationDto)
  rotation?: RotationDto | null;

  @ApiPropertyOptional({ description: 'false disables the key (verify answers DISABLED)' })
  @unlessAbsent
  @IsBoolean()
  enabled?: boolean;
}
