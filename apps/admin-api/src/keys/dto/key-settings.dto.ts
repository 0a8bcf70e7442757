import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

export class RateLimitDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1_000_000_000, description: 'VALID answers allowed per window', example: 100 })
  @Min(1)
  @Max(1_000_000_000)
  @IsInt()
  limit: number;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: 31_536_000,
    description: 'The window: fixed windows aligned to multiples of this many seconds since the Unix epoch',
    example: 60,
  })
  @Min(1)
  @Max(31_536_000)
  @IsInt()
  windowSeconds: number;
}

export class RotationDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: 315_360_000,
    description: 'A successor is made this long after the key was',
    example: 7_776_000,
  })
  @Min(1)
  @Max(315_360_000)
  @IsInt()
  intervalSeconds: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 31_536_000,
    description: 'How long the old key keeps working after a rotation',
    example: 86_400,
  })
  @Min(0)
  @Max(31_536_000)
  @IsInt()
  gracePeriodSeconds: number;
}
