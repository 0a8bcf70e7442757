import { CREDENTIAL_ROLES, type CredentialRole } from '@keyward/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';

/** RFC 3339 date-time: IsISO8601 alone also admits week and ordinal dates, which Date cannot read. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export class CreateCredentialDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'ci-deployer' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: CREDENTIAL_ROLES })
  @IsIn(CREDENTIAL_ROLES as CredentialRole[])
  role: CredentialRole;

  @ApiPropertyOptional({ format: 'date-time', description: 'Must be in the future' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(DATE_TIME, { message: 'must be an RFC 3339 date-time such as 2030-01-01T00:00:00Z' })
  expiresAt?: string;
}
