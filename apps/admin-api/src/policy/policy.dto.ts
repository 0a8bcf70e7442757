import {
  LEAKED_KEY_ACTIONS,
  OPTIONAL_POLICY_FIELDS,
  UNUSED_KEY_ACTIONS,
  type LeakedKeyAction,
  type OptionalPolicyField,
  type TenantPolicy,
  type UnusedKeyAction,
} from '@keyward/policy';
import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, type ApiPropertyOptions } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, Max, Min, ValidateIf } from 'class-validator';

const unlessNull = ValidateIf((_object, value) => value !== null);
/** A field a PUT may leave out (its default then); null is no value. */
const unlessLeftOut = ValidateIf((_object, value) => value !== undefined);

/** The documentation of each field a PUT may leave out (docs/api.md, Policy and Usage signals). */
const OPTIONAL_FIELD_DOCS: Record<OptionalPolicyField, ApiPropertyOptions> = {
  leakedKeyAction: {
    enum: LEAKED_KEY_ACTIONS,
    default: 'revoke',
    description:
      'What happens to a key reported leaked (by GitHub secret scanning or POST /v1/keys/{keyId}/leaked): revoked, disabled, ' +
      'or only recorded and announced',
    example: 'revoke',
  },
  creditsLowPercent: {
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 20,
    description: 'Webhook key.credits_low when a balance falls to this percent of its refill amount (or of its largest balance)',
    example: 20,
  },
  limitNearPercent: {
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 75,
    description: 'Webhook key.limit_near when a window of a rate limit is this percent used',
    example: 75,
  },
  spikeFactor: {
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 5,
    description:
      "Webhook key.usage_spike when an hour's verifications exceed this many times the key's hourly average of the previous 7 days",
    example: 5,
  },
  spikeMinimum: {
    type: 'integer',
    minimum: 1,
    maximum: 1_000_000_000,
    default: 100,
    description: 'The fewest verifications in an hour that key.usage_spike reports',
    example: 100,
  },
  newSourceSignals: {
    type: 'boolean',
    default: false,
    description: 'Webhook key.new_source on a VALID verification from a network (IPv4 /24, IPv6 /48) new to a key in use for 24 h',
    example: false,
  },
};

/**
 * PUT replaces the whole policy: every field is required but leakedKeyAction and the usage signals'
 * (left out: their defaults); the two day limits may be null (off).
 */
export class TenantPolicyDto implements Omit<TenantPolicy, OptionalPolicyField> {
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

  @ApiPropertyOptional(OPTIONAL_FIELD_DOCS.leakedKeyAction)
  @unlessLeftOut
  @IsIn(LEAKED_KEY_ACTIONS as LeakedKeyAction[])
  leakedKeyAction?: LeakedKeyAction;

  @ApiPropertyOptional(OPTIONAL_FIELD_DOCS.creditsLowPercent)
  @unlessLeftOut
  @IsInt()
  @Min(1)
  @Max(100)
  creditsLowPercent?: number;

  @ApiPropertyOptional(OPTIONAL_FIELD_DOCS.limitNearPercent)
  @unlessLeftOut
  @IsInt()
  @Min(1)
  @Max(100)
  limitNearPercent?: number;

  @ApiPropertyOptional(OPTIONAL_FIELD_DOCS.spikeFactor)
  @unlessLeftOut
  @IsInt()
  @Min(1)
  @Max(1000)
  spikeFactor?: number;

  @ApiPropertyOptional(OPTIONAL_FIELD_DOCS.spikeMinimum)
  @unlessLeftOut
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  spikeMinimum?: number;

  @ApiPropertyOptional(OPTIONAL_FIELD_DOCS.newSourceSignals)
  @unlessLeftOut
  @IsBoolean()
  newSourceSignals?: boolean;
}

/** The fields a PUT may leave out, as GET and PUT answer them: always present. */
class OptionalFieldsAnswered implements Pick<TenantPolicy, OptionalPolicyField> {
  @ApiProperty(OPTIONAL_FIELD_DOCS.leakedKeyAction) leakedKeyAction: LeakedKeyAction;
  @ApiProperty(OPTIONAL_FIELD_DOCS.creditsLowPercent) creditsLowPercent: number;
  @ApiProperty(OPTIONAL_FIELD_DOCS.limitNearPercent) limitNearPercent: number;
  @ApiProperty(OPTIONAL_FIELD_DOCS.spikeFactor) spikeFactor: number;
  @ApiProperty(OPTIONAL_FIELD_DOCS.spikeMinimum) spikeMinimum: number;
  @ApiProperty(OPTIONAL_FIELD_DOCS.newSourceSignals) newSourceSignals: boolean;
}

/** The policy as GET and PUT answer it: every field, the optional ones included. */
export class TenantPolicyResource extends IntersectionType(OmitType(TenantPolicyDto, OPTIONAL_POLICY_FIELDS), OptionalFieldsAnswered) {}
