import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class RotateKeyDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 31_536_000, description: "Defaults to the key's rotation.gracePeriodSeconds, else 0" })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(31_536_000)
  gracePeriodSeconds?: number;
}

export class RevokeKeyDto {
  @ApiPropertyOptional({ maxLength: 500, description: 'Kept in the audit event' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
