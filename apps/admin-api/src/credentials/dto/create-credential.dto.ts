import { CREDENTIAL_ROLES, type CredentialRole, IsDateTime } from '@keyward/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';

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
  @IsDateTime()
  expiresAt?: string;
}
