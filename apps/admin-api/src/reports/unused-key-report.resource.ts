import type { UnusedKeyReport } from '@keyward/keys';
import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE } from '../openapi-examples';

export class UnusedKeyReportEntryResource {
  @ApiProperty({ format: 'uuid', example: EXAMPLE.keyId }) id: string;
  @ApiProperty({ example: 'Checkout service' }) name: string;
  @ApiProperty({ type: String, nullable: true, example: 'cus_4711' }) ownerId: string | null;
  @ApiProperty({
    enum: ['active', 'disabled', 'expired', 'revoked'],
    description: "The key's status when the report was made, after the run's action",
  })
  status: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Latest VALID verification; null if never used (idle since createdAt)',
  })
  lastUsedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', description: 'When the key was first flagged in its current idle period (audit key.flagged_unused)' })
  flaggedAt: string;
  @ApiProperty({ enum: ['reported', 'disabled', 'revoked'], description: 'What the policy did about the key in its current idle period' })
  action: string;
}

export class UnusedKeyReportResource {
  @ApiProperty({ format: 'date-time' }) generatedAt: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'The policy unusedKeyDays the keys were judged by', example: 90 })
  thresholdDays: number;
  @ApiProperty({ enum: ['report', 'disable', 'revoke'], description: 'The policy unusedKeyAction when the report was made' })
  action: string;
  @ApiProperty({
    type: [UnusedKeyReportEntryResource],
    description: 'Every key neither revoked nor expired and idle for thresholdDays or more',
  })
  keys: UnusedKeyReportEntryResource[];
}

export function toUnusedKeyReportResource(report: UnusedKeyReport): UnusedKeyReportResource {
  return {
    generatedAt: report.generatedAt.toISOString(),
    thresholdDays: report.thresholdDays,
    action: report.action,
    keys: report.keys.map((entry) => ({ ...entry })),
  };
}
