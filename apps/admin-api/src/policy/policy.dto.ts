import { UNUSED_KEY_ACTIONS, type TenantPolicy, type UnusedKeyAction } from '@keyward/policy';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsInt, Max, Min, ValidateIf } from 'class-validator';

const unlessNull = ValidateIf((_object, value) => value !== null);

/** PUT replaces the whole policy: every field is required; the two day limits may be null (off). */
export class TenantPolicyDto implements TenantPolicy {
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 0,
    description: 'Days without a VALID verification before a key counts as unused; null = off',
  })
  @unlessNull
  @IsInt()
  @Min(0)
  @Max(36_500)
  unusedKeyDays: number | null;

  @ApiProperty({ enum: UNUSED_KEY_ACTIONS })
  @IsIn(UNUSED_KEY_ACTIONS as UnusedKeyAction[])
  unusedKeyAction: UnusedKeyAction;

  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 1,
    description: 'Longest lifetime of a key issued, patched or rotated; null = unlimited',
  })
  @unlessNull
  @IsInt()
  @Min(1)
  @Max(36_500)
  maxKeyLifetimeDays: number | null;

  @ApiProperty({ type: [Number], description: 'Days before expiry at which key.expiring is sent', example: [7, 1] })
  @IsArray()
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(3650, { each: true })
  expiryWarningDays: number[];
}
