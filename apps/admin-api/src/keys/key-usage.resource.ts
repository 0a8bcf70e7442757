import { VERIFY_CODES } from '@keyward/keys';
import { ApiProperty } from '@nestjs/swagger';

class UsageBucketResource {
  @ApiProperty({ format: 'date-time' }) start: string;
  @ApiProperty() total: number;
  @ApiProperty({ type: Object, description: `Verifications by code (${VERIFY_CODES.join(', ')})`, example: { VALID: 12, RATE_LIMITED: 3 } })
  counts: Record<string, number>;
}

export class KeyUsageResource {
  @ApiProperty({ format: 'uuid' }) keyId: string;
  @ApiProperty({ enum: ['hour', 'day'] }) granularity: 'hour' | 'day';
  @ApiProperty({ type: [UsageBucketResource], description: 'Buckets with traffic, oldest first' }) buckets: UsageBucketResource[];
}
