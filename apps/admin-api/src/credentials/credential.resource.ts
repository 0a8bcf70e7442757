import type { Credential, IssuedCredential } from '@keyward/credentials';
import { CREDENTIAL_ROLES, type CredentialRole } from '@keyward/platform';
import { ApiProperty } from '@nestjs/swagger';

export class CredentialResource {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: CREDENTIAL_ROLES }) role: CredentialRole;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
}

export class IssuedCredentialResource {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: CREDENTIAL_ROLES }) role: CredentialRole;
  @ApiProperty({ description: 'The bearer token (kwc_...). It appears in this response only.' }) token: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
}

export class CredentialPage {
  @ApiProperty({ type: [CredentialResource] }) data: CredentialResource[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
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
