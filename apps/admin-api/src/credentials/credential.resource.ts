import type { Credential, IssuedCredential } from '@keyward/credentials';
import { CREDENTIAL_ROLES, type CredentialRole } from '@keyward/platform';
import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE } from '../openapi-examples';

const ROLE_DESCRIPTION =
  'admin: everything of its tenant; auditor: reads keys, usage, audit events and reports, changes nothing; verifier: POST /v1/verify only';

export class CredentialResource {
  @ApiProperty({ format: 'uuid', example: EXAMPLE.credentialId }) id: string;
  @ApiProperty({ example: 'checkout-service' }) name: string;
  @ApiProperty({ enum: CREDENTIAL_ROLES, description: ROLE_DESCRIPTION, example: 'verifier' }) role: CredentialRole;
  @ApiProperty({ format: 'date-time', example: EXAMPLE.createdAt }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the credential stops working; null: never' })
  expiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it was revoked; null: it was not' })
  revokedAt: string | null;
}

export class IssuedCredentialResource {
  @ApiProperty({ format: 'uuid', example: EXAMPLE.credentialId }) id: string;
  @ApiProperty({ example: 'checkout-service' }) name: string;
  @ApiProperty({ enum: CREDENTIAL_ROLES, description: ROLE_DESCRIPTION, example: 'verifier' }) role: CredentialRole;
  @ApiProperty({
    description: 'The bearer token (`kwc_...`). It appears in this response only: keep it now.',
    example: EXAMPLE.credentialToken,
  })
  token: string;
  @ApiProperty({ format: 'date-time', example: EXAMPLE.createdAt }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the credential stops working; null: never' })
  expiresAt: string | null;
}

export class CredentialPage {
  @ApiProperty({ type: [CredentialResource] }) data: CredentialResource[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}

export function toCredentialResource(credential: Credential): CredentialResource {
  return {
    id: credential.id,
    name: credential.name,
    role: credential.role,
    createdAt: credential.createdAt.toISOString(),
    expiresAt: credential.expiresAt?.toISOString() ?? null,
    revokedAt: credential.revokedAt?.toISOString() ?? null,
  };
}

export function toIssuedCredentialResource({ credential, token }: IssuedCredential): IssuedCredentialResource {
  return {
    id: credential.id,
    name: credential.name,
    role: credential.role,
    token,
    createdAt: credential.createdAt.toISOString(),
    expiresAt: credential.expiresAt?.toISOString() ?? null,
  };
}
