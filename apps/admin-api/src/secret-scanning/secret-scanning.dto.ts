// The OpenAPI description of GitHub's report and of the answer (docs/secret-scanning.md). The body
// itself is checked by parseLeakReport, after its signature: these classes only describe it.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { LeakFeedback, LeakLabel } from './leak-reports';

export class LeakReportItemDto {
  @ApiProperty({ maxLength: 1000, description: 'The string GitHub found', example: 'kw_live_0123456789abcdefghijklmnopqrstuv3Xk9Qa' })
  token: string;

  @ApiProperty({
    maxLength: 200,
    description: 'The name of the pattern that matched, as registered with GitHub',
    example: 'keyward_api_key',
  })
  type: string;

  @ApiPropertyOptional({
    type: 'string',
    maxLength: 2048,
    nullable: true,
    description: 'Where it was found',
    example: 'https://github.com/octocat/Hello-World/blob/12345600b9cbe38a219f39a9941c9319b600c002/foo.txt',
  })
  url?: string | null;

  @ApiPropertyOptional({
    type: 'string',
    maxLength: 200,
    nullable: true,
    description: 'What kind of place that is (content, commit, issue, ...)',
    example: 'content',
  })
  source?: string | null;
}

export class LeakFeedbackResource implements LeakFeedback {
  @ApiProperty({ description: 'SHA-256 of the token, in hex', example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  token_hash: string;

  @ApiProperty({ description: "The report's `type` for this token", example: 'keyward_api_key' })
  token_type: string;

  @ApiProperty({
    enum: ['true_positive', 'false_positive'],
    description: 'true_positive: a key or credential of this deployment, whatever its state; false_positive: not one',
    example: 'true_positive',
  })
  label: LeakLabel;
}
