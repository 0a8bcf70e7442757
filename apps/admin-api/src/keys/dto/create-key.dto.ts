import { IsDateTime } from '@keyward/platform';
import { KEY_ENVIRONMENTS, KEY_LIMIT_NAME, MAX_KEY_ROLES, MAX_RATE_LIMITS, MAX_SCOPES, type KeyEnvironment } from '@keyward/keys';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { EXAMPLE } from '../../openapi-examples';
import { AreIpAllowlistEntries, AreScopes, IsJsonObjectOfAtMost } from './key-validators';
import { IP_ALLOWLIST_ITEM_SCHEMA, SCOPE_ITEM_SCHEMA } from './key-examples';
import { Credits, CreditsDto, NamedRateLimitDto, NamedRateLimits, RateLimitDto, RotationDto } from './key-settings.dto';

export const MAX_META_BYTES = 4096;
const MAX_SAFE_CREDITS = Number.MAX_SAFE_INTEGER;

export class CreateKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Checkout service' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 200, description: "Your customer's or service's id", example: 'cus_4711' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  ownerId?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: SCOPE_ITEM_SCHEMA,
    maxItems: MAX_SCOPES,
    description:
      'What the key grants: 1 to 64 characters of a-z 0-9 _ . : * - each; `billing:*` grants every scope that begins with `billing:`, `*` grants all',
    example: ['billing:*', 'reports:read'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SCOPES)
  @AreScopes()
  scopes?: string[];

  @ApiPropertyOptional({
    type: 'array',
    items: SCOPE_ITEM_SCHEMA,
    maxItems: MAX_KEY_ROLES,
    uniqueItems: true,
    description:
      "Names of your tenant's roles (PUT /v1/roles/{name}): the key is granted their scopes too, as they are at each verification",
    example: ['support'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_KEY_ROLES)
  @ArrayUnique()
  @AreScopes()
  roles?: string[];

  @ApiPropertyOptional({ enum: KEY_ENVIRONMENTS, default: 'live' })
  @IsOptional()
  @IsIn(KEY_ENVIRONMENTS as KeyEnvironment[])
  environment?: KeyEnvironment;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When the key stops working (EXPIRED); in the future. Absent: never.',
    example: EXAMPLE.expiresAt,
  })
  @IsOptional()
  @IsDateTime()
  expiresAt?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `Your data about the key, returned by verify: a JSON object of at most ${MAX_META_BYTES} bytes`,
    example: { plan: 'pro' },
  })
  @IsOptional()
  @IsJsonObjectOfAtMost(MAX_META_BYTES)
  meta?: Record<string, unknown>;

  @ApiPropertyOptional({ type: RateLimitDto, description: 'At most `limit` VALID answers per window of `windowSeconds`' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RateLimitDto)
  rateLimit?: RateLimitDto;

  @ApiPropertyOptional({
    type: [NamedRateLimitDto],
    maxItems: MAX_RATE_LIMITS,
    description: `Named limits; the one named \`${KEY_LIMIT_NAME}\` (fixed, always) is rateLimit. With rateLimit too, they must agree.`,
  })
  @NamedRateLimits()
  rateLimits?: NamedRateLimitDto[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_SAFE_CREDITS,
    description: 'Usage credits (credits.remaining): each VALID answer takes its cost; none left is USAGE_EXCEEDED. Absent: unlimited.',
    example: 10_000,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SAFE_CREDITS)
  remaining?: number;

  @ApiPropertyOptional({ type: CreditsDto, description: 'Credits and their refill; remaining is their v1 name. Absent: unlimited.' })
  @Credits({ nullable: false })
  credits?: CreditsDto;

  @ApiPropertyOptional({
    type: 'array',
    items: IP_ALLOWLIST_ITEM_SCHEMA,
    maxItems: 100,
    description: 'Where the key may be used from: IPv4 (dotted quad) or IPv6 addresses or CIDRs, returned as given',
    example: ['203.0.113.0/24', '2001:db8::/32'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @AreIpAllowlistEntries()
  ipAllowlist?: string[];

  @ApiPropertyOptional({ type: RotationDto, description: 'Scheduled rotation: a successor every intervalSeconds, revealed once' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RotationDto)
  rotation?: RotationDto;
}
