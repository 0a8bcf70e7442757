import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class RotateKeyDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 31_536_000,
    description: "How long the old key keeps working; default: the key's rotation.gracePeriodSeconds, else 0",
    example: 3600,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(31_536_000)
  gracePeriodSeconds?: number;
}

export class RevokeKeyDto {
  @ApiPropertyOptional({ maxLength: 500, description: 'Why: kept in the audit event', example: 'Leaked in a public repository' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
