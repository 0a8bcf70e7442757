import { ListQueryDto, IsDateTime } from '@keyward/platform';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/** `from` (inclusive) and `to` (exclusive) bound occurredAt. */
export class AuditRangeDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Events at or after this time' })
  @IsOptional()
  @IsDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events before this time' })
  @IsOptional()
  @IsDateTime()
  to?: string;
}

export class ListAuditEventsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsDateTime()
  to?: string;

  @ApiPropertyOptional({ example: 'credential.created' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_]+\.[a-z_]+$/, { message: 'must be an action such as key.created' })
  @MaxLength(64)
  action?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Events whose target is this key' })
  @IsOptional()
  @IsUUID()
  keyId?: string;

  @ApiPropertyOptional({ description: 'Events made by this credential id, or "platform"' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  actorId?: string;
}

export class ExportAuditEventsQueryDto extends AuditRangeDto {
  @ApiPropertyOptional({ enum: ['ndjson', 'csv'], default: 'ndjson' })
  @IsOptional()
  @IsIn(['ndjson', 'csv'])
  format: 'ndjson' | 'csv' = 'ndjson';
}

const givenEither = (query: VerifyAuditChainQueryDto): boolean => query.checkpointSeq !== undefined || query.checkpointHash !== undefined;

/** A kept checkpoint's seq and headHash, both or neither (docs/auditing.md, Checkpoints). */
export class VerifyAuditChainQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description: "A kept checkpoint's seq; with checkpointHash, asks whether the chain still extends that checkpoint",
  })
  @ValidateIf(givenEither)
  @IsDefined({ message: 'must be given with checkpointHash' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  checkpointSeq?: number;

  @ApiPropertyOptional({ pattern: '^[0-9a-f]{64}$', description: "That checkpoint's headHash" })
  @ValidateIf(givenEither)
  @IsDefined({ message: 'must be given with checkpointSeq' })
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be 64 lowercase hexadecimal characters' })
  checkpointHash?: string;
}
