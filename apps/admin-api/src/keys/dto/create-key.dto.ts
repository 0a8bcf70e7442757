import { IsDateTime } from '@keyward/platform';
import { KEY_ENVIRONMENTS, MAX_SCOPES, type KeyEnvironment } from '@keyward/keys';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { AreIpAllowlistEntries, AreScopes, IsJsonObjectOfAtMost } from './key-validators';
import { RateLimitDto, RotationDto } from './key-settings.dto';

export const MAX_META_BYTES = 4096;
const MAX_SAFE_CREDITS = Number.MAX_SAFE_INTEGER;

export class CreateKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ maxLength: 200, description: "Your customer's or service's id" })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  ownerId?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_SCOPES, example: ['billing:*', 'reports:read'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SCOPES)
  @AreScopes()
  scopes?: string[];

  @ApiPropertyOptional({ enum: KEY_ENVIRONMENTS, default: 'live' })
  @IsOptional()
  @IsIn(KEY_ENVIRONMENTS as KeyEnvironment[])
  environment?: KeyEnvironment;

  @ApiPropertyOptional({ format: 'date-time', description: 'In the future' })
  @IsOptional()
  @IsDateTime()
  expiresAt?: string;

  @ApiPropertyOptional({ type: Object, description: `At most ${MAX_META_BYTES} bytes as JSON` })
  @IsOptional()
  @IsJsonObjectOfAtMost(MAX_META_BYTES)
  meta?: Record<string, unknown>;

  @ApiPropertyOptional({ type: RateLimitDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RateLimitDto)
  rateLimit?: RateLimitDto;

  @ApiPropertyOptional({ minimum: 0, description: 'Usage credits; absent means unlimited' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SAFE_CREDITS)
  remaining?: number;

  @ApiPropertyOptional({ type: [String], example: ['203.0.113.0/24', '2001:db8::/32'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @AreIpAllowlistEntries()
  ipAllowlist?: string[];

  @ApiPropertyOptional({ type: RotationDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RotationDto)
  rotation?: RotationDto;
}
