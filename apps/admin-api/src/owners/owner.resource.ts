import type { OwnerWithKeyCount } from '@keyward/keys';
import { ApiProperty } from '@nestjs/swagger';
import { CreditsResource, NamedRateLimitResource, toCreditsResource } from '../keys/limits-and-credits.resource';
import { EXAMPLE } from '../openapi-examples';

export class OwnerResource {
  @ApiProperty({ description: "Your customer's or service's id, as its keys carry it", example: 'cus_4711' }) ownerId: string;
  @ApiProperty({ type: String, nullable: true, example: 'Acme Corp' }) name: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { plan: 'enterprise' } }) meta: Record<string, unknown>;
  @ApiProperty({ type: [NamedRateLimitResource], description: 'Limits every key of the owner shares' })
  rateLimits: NamedRateLimitResource[];
  @ApiProperty({ type: CreditsResource, nullable: true, description: 'Credits every key of the owner shares; null: unlimited' })
  credits: CreditsResource | null;
  @ApiProperty({ type: 'integer', description: 'Keys with this ownerId that are not revoked', example: 2 }) keyCount: number;
  @ApiProperty({ format: 'date-time', example: EXAMPLE.createdAt }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: EXAMPLE.updatedAt }) updatedAt: string;
}

export class OwnerPage {
  @ApiProperty({ type: [OwnerResource] }) data: OwnerResource[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}

/** The single place that turns a stored owner into the API's JSON (docs/api.md, Owners). */
export function toOwnerResource({ owner, keyCount }: OwnerWithKeyCount, now = new Date()): OwnerResource {
  return {
    ownerId: owner.ownerId,
    name: owner.name,
    meta: owner.meta,
    rateLimits: owner.rateLimits,
    credits: toCreditsResource(owner, now),
    keyCount,
    createdAt: owner.createdAt.toISOString(),
    updatedAt: owner.updatedAt.toISOString(),
  };
}
