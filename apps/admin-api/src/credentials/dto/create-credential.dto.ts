import { CREDENTIAL_ROLES, type CredentialRole, IsDateTime } from '@keyward/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { EXAMPLE } from '../../openapi-examples';

export class CreateCredentialDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'checkout-service' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: CREDENTIAL_ROLES, description: 'What the credential may do: admin, auditor or verifier', example: 'verifier' })
  @IsIn(CREDENTIAL_ROLES as CredentialRole[])
  role: CredentialRole;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When the credential stops working; in the future. Absent: never.',
    example: EXAMPLE.expiresAt,
  })
  @IsOptional()
  @IsDateTime()
  expiresAt?: string;
}

/** The request examples of both routes that issue a credential. */
export const CREATE_CREDENTIAL_EXAMPLES = {
  admin: { summary: "A tenant's admin", value: { name: 'acme-admin', role: 'admin' } },
  verifier: {
    summary: 'A verifier for a service, until a date',
    value: { name: 'checkout-service', role: 'verifier', expiresAt: EXAMPLE.expiresAt },
  },
} satisfies Record<string, { summary: string; value: CreateCredentialDto }>;
