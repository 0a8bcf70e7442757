import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Where the key was found: both optional, kept in the audit event and the webhook key.leaked. */
export class ReportKeyLeakDto {
  @ApiPropertyOptional({
    maxLength: 2048,
    description: 'Where the key was found',
    example: 'https://gist.github.com/octocat/6cad326836d38bd3a7ae',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'What kind of place that is, or who found it', example: 'gist' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  source?: string;
}
