import type { KeyStatus } from '@keyward/keys';
import { ListQueryDto } from '@keyward/platform';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';

const STATUSES: KeyStatus[] = ['active', 'disabled', 'expired', 'revoked'];

export class ListKeysQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  ownerId?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: KeyStatus;
}
