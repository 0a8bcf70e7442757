import { IsDateTime } from '@keyward/platform';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export class KeyUsageQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Default: 24 hours (hour) or 30 days (day) before `to`' })
  @IsOptional()
  @IsDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Default: now' })
  @IsOptional()
  @IsDateTime()
  to?: string;

  @ApiPropertyOptional({ enum: ['hour', 'day'], default: 'hour', description: 'The size of the buckets' })
  @IsOptional()
  @IsIn(['hour', 'day'])
  granularity: 'hour' | 'day' = 'hour';
}
