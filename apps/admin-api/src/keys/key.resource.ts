import { KEY_ENVIRONMENTS, keyStatus, type ApiKey, type KeyEnvironment, type KeyStatus, type RotatedKey } from '@keyward/keys';
import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE } from '../openapi-examples';
import { RateLimitDto, RotationDto } from './dto/key-settings.dto';
import { CreditsResource, NamedRateLimitResource, toCreditsResource } from './limits-and-credits.resource';

export class KeyResource {
  @ApiProperty({ format: 'uuid', example: EXAMPLE.keyId }) id: string;
  @ApiProperty({ example: 'Checkout service' }) name: string;
  @ApiProperty({ type: String, nullable: true, description: "Your customer's or service's id", example: 'cus_4711' }) ownerId:
    string | null;
  @ApiProperty({ example: EXAMPLE.keyStart, description: '<prefix>_<environment>_ and the first 4 characters of the body, for display' })
  start: string;
  @ApiProperty({ enum: KEY_ENVIRONMENTS, example: 'live' }) environment: KeyEnvironment;
  @ApiProperty({ type: [String], example: ['billing:*', 'reports:read'] }) scopes: string[];
  @ApiProperty({ type: [String], description: "The tenant's roles the key has: it is granted their scopes too", example: ['support'] })
  roles: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: { plan: 'pro' } }) meta: Record<string, unknown>;
  @ApiProperty({
    enum: ['active', 'disabled', 'expired', 'revoked'],
    description: 'revoked and expired are final; disabled until enabled again',
    example: 'active',
  })
  status: KeyStatus;
  @ApiProperty({ format: 'date-time', example: EXAMPLE.createdAt }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: EXAMPLE.updatedAt }) updatedAt: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the key stops working; null: never',
    example: EXAMPLE.expiresAt,
  })
  expiresAt: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The latest VALID verification (within 5 seconds); null: never used',
    example: EXAMPLE.lastUsedAt,
  })
  lastUsedAt: string | null;
  @ApiProperty({
    type: RateLimitDto,
    nullable: true,
    description: 'The v1 view of rateLimits: the fixed, always-applied limit named `key`; null: none',
  })
  rateLimit: RateLimitDto | null;
  @ApiProperty({ type: [NamedRateLimitResource], description: 'Every named limit of the key' }) rateLimits: NamedRateLimitResource[];
  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 0,
    description: 'Usage credits left (credits.remaining); null: unlimited',
    example: 10_000,
  })
  remaining: number | null;
  @ApiProperty({ type: CreditsResource, nullable: true, description: 'The credits and their refill; null: unlimited' })
  credits: CreditsResource | null;
  @ApiProperty({ type: [String], nullable: true, description: 'null: usable from anywhere', example: ['203.0.113.0/24'] })
  ipAllowlist: string[] | null;
  @ApiProperty({ type: RotationDto, nullable: true, description: 'null: no scheduled rotation' }) rotation: RotationDto | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The key this one succeeded by rotation; null: none' })
  previousKeyId: string | null;
}

export class IssuedKeyResource extends KeyResource {
  @ApiProperty({ description: 'The plaintext key. It appears in this response only: keep it now.', example: EXAMPLE.key }) key: string;
}

export class RotatedKeyResource extends IssuedKeyResource {
  @ApiProperty({ type: String, format: 'date-time', description: 'When the old key stops working', example: EXAMPLE.createdAt })
  previousKeyExpiresAt: string;
}

export class RevealedKeyResource {
  @ApiProperty({ format: 'uuid', example: EXAMPLE.keyId }) id: string;
  @ApiProperty({ description: 'The plaintext key, shown this once', example: EXAMPLE.key }) key: string;
}

export class KeyPage {
  @ApiProperty({ type: [KeyResource] }) data: KeyResource[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}

/** The single place that turns a stored key into the API's JSON (docs/api.md, Keys). */
export function toKeyResource(key: ApiKey, now = new Date()): KeyResource {
  const credits = toCreditsResource(key, now);
  return {
    id: key.id,
    name: key.name,
    ownerId: key.ownerId,
    start: key.start,
    environment: key.environment,
    scopes: key.scopes,
    roles: key.roles,
    meta: key.meta,
    status: keyStatus(key, now),
    createdAt: key.createdAt.toISOString(),
    updatedAt: key.updatedAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    rateLimit: key.rateLimit,
    rateLimits: key.rateLimits,
    remaining: credits?.remaining ?? null,
    credits,
    ipAllowlist: key.ipAllowlist,
    rotation: key.rotation,
    previousKeyId: key.previousKeyId,
  };
}

export function toRotatedKeyResource({ previous, successor }: RotatedKey): RotatedKeyResource {
  return { ...toKeyResource(successor.key), key: successor.plaintext, previousKeyExpiresAt: previous.expiresAt!.toISOString() };
}
