import { KEY_ENVIRONMENTS, keyStatus, type ApiKey, type KeyEnvironment, type KeyStatus, type RotatedKey } from '@keyward/keys';
import { ApiProperty } from '@nestjs/swagger';
import { RateLimitDto, RotationDto } from './dto/key-settings.dto';

export class KeyResource {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) ownerId: string | null;
  @ApiProperty({ example: 'kw_live_a1B2', description: '<prefix>_<environment>_ and the first 4 characters of the body' }) start: string;
  @ApiProperty({ enum: KEY_ENVIRONMENTS }) environment: KeyEnvironment;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ type: Object }) meta: Record<string, unknown>;
  @ApiProperty({ enum: ['active', 'disabled', 'expired', 'revoked'] }) status: KeyStatus;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt: string | null;
  @ApiProperty({ type: RateLimitDto, nullable: true }) rateLimit: RateLimitDto | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Usage credits left; null = unlimited' }) remaining: number | null;
  @ApiProperty({ type: [String], nullable: true }) ipAllowlist: string[] | null;
  @ApiProperty({ type: RotationDto, nullable: true }) rotation: RotationDto | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) previousKeyId: string | null;
}

export class IssuedKeyResource extends KeyResource {
  @ApiProperty({ description: 'The plaintext key. It appears in this response only.' }) key: string;
}

export class RotatedKeyResource extends IssuedKeyResource {
  @ApiProperty({ type: String, format: 'date-time', description: 'When the old key stops working' }) previousKeyExpiresAt: string;
}

export class RevealedKeyResource {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'The plaintext key, shown this once' }) key: string;
}

export class KeyPage {
  @ApiProperty({ type: [KeyResource] }) data: KeyResource[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

/** The single place that turns a stored key into the contract's JSON. */
export function toKeyResource(key: ApiKey, now = new Date()): KeyResource {
  return {
    id: key.id,
    name: key.name,
    ownerId: key.ownerId,
    start: key.start,
    environment: key.environment,
    scopes: key.scopes,
    meta: key.meta,
    status: keyStatus(key, now),
    createdAt: key.createdAt.toISOString(),
    updatedAt: key.updatedAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    rateLimit: key.rateLimit,
    remaining: key.remaining,
    ipAllowlist: key.ipAllowlist,
    rotation: key.rotation,
    previousKeyId: key.previousKeyId,
  };
}

export function toRotatedKeyResource({ previous, successor }: RotatedKey): RotatedKeyResource {
  return { ...toKeyResource(successor.key), key: successor.plaintext, previousKeyExpiresAt: previous.expiresAt!.toISOString() };
}
