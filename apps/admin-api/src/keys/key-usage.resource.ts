import { VERIFY_CODES } from '@keyward/keys';
import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE } from '../openapi-examples';

class UsageBucketResource {
  @ApiProperty({ format: 'date-time', description: "The bucket's first instant", example: '2026-01-15T10:00:00.000Z' }) start: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Verifications in the bucket', example: 15 }) total: number;
  @ApiProperty({
    type: 'object',
    properties: Object.fromEntries(VERIFY_CODES.map((code) => [code, { type: 'integer', minimum: 0 }])),
    additionalProperties: false,
    description: 'Verifications by code; codes with none are left out',
    example: { VALID: 12, RATE_LIMITED: 3 },
  })
  counts: Record<string, number>;
}

export class KeyUsageResource {
  @ApiProperty({ format: 'uuid', example: EXAMPLE.keyId }) keyId: string;
  @ApiProperty({ enum: ['hour', 'day'], example: 'hour' }) granularity: 'hour' | 'day';
  @ApiProperty({ type: [UsageBucketResource], description: 'Buckets with traffic, oldest first' }) buckets: UsageBucketResource[];
}
