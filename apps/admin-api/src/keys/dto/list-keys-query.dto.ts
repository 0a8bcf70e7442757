import type { KeyStatus } from '@keyward/keys';
import { ListQueryDto } from '@keyward/platform';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';

const STATUSES: KeyStatus[] = ['active', 'disabled', 'expired', 'revoked'];

export class ListKeysQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, description: 'Only the keys of this owner' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  ownerId?: string;

  @ApiPropertyOptional({ enum: STATUSES, description: 'Only the keys in this status' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: KeyStatus;
}
