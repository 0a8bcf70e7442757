import { LEAKED_KEY_ACTIONS, UNUSED_KEY_ACTIONS, type LeakedKeyAction, type TenantPolicy, type UnusedKeyAction } from '@keyward/policy';
import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsInt, Max, Min, ValidateIf } from 'class-validator';

const unlessNull = ValidateIf((_object, value) => value !== null);

/**
 * PUT replaces the whole policy: every field is required but leakedKeyAction (left out: `revoke`, its
 * default); the two day limits may be null (off).
 */
export class TenantPolicyDto implements Omit<TenantPolicy, 'leakedKeyAction'> {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: 36_500,
    description: 'Days without a VALID verification before a key counts as unused (the daily unused-key audit); null: off',
    example: 90,
  })
  @unlessNull
  @IsInt()
  @Min(0)
  @Max(36_500)
  unusedKeyDays: number | null;

  @ApiProperty({ enum: UNUSED_KEY_ACTIONS, description: 'What the unused-key audit does to an unused key', example: 'report' })
  @IsIn(UNUSED_KEY_ACTIONS as UnusedKeyAction[])
  unusedKeyAction: UnusedKeyAction;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: 36_500,
    description: 'Longest lifetime of a key issued, patched or rotated; null: unlimited',
    example: 365,
  })
  @unlessNull
  @IsInt()
  @Min(1)
  @Max(36_500)
  maxKeyLifetimeDays: number | null;

  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 1, maximum: 3650 },
    maxItems: 10,
    uniqueItems: true,
    description: 'Days before expiry at which the webhook key.expiring is sent',
    example: [7, 1],
  })
  @IsArray()
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(3650, { each: true })
  expiryWarningDays: number[];

  @ApiPropertyOptional({
    enum: LEAKED_KEY_ACTIONS,
    default: 'revoke',
    description:
      'What happens to a key reported leaked (by GitHub secret scanning or POST /v1/keys/{keyId}/leaked): revoked, disabled, ' +
      'or only recorded and announced',
    example: 'revoke',
  })
  @ValidateIf((_object, value) => value !== undefined)
  @IsIn(LEAKED_KEY_ACTIONS as LeakedKeyAction[])
  leakedKeyAction?: LeakedKeyAction;
}

class LeakedKeyActionField {
  @ApiProperty({
    enum: LEAKED_KEY_ACTIONS,
    description: 'What happens to a key reported leaked: revoked, disabled, or only recorded and announced',
    example: 'revoke',
  })
  leakedKeyAction: LeakedKeyAction;
}

/** The policy as GET and PUT answer it: every field, leakedKeyAction included. */
export class TenantPolicyResource extends IntersectionType(OmitType(TenantPolicyDto, ['leakedKeyAction'] as const), LeakedKeyActionField) {}
