import type { AuditCheckpoint } from '@keyward/audit';
import type { Ed25519PublicJwk, Jwks } from '@keyward/signing';
import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE } from '../openapi-examples';

const EXAMPLE_KID = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';

export class AuditCheckpointResource implements AuditCheckpoint {
  @ApiProperty({ format: 'uuid', example: EXAMPLE.tenantId }) tenantId: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: "The seq of the chain's last event (0 for an empty chain)", example: 42 })
  seq: number;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'The hash of that event (64 zeros for an empty chain)', example: EXAMPLE.hash })
  headHash: string;
  @ApiProperty({ format: 'date-time', example: EXAMPLE.createdAt }) issuedAt: string;
  @ApiProperty({ description: 'kid of the signing key in GET /v1/audit-events/keys', example: EXAMPLE_KID }) keyId: string;
  @ApiProperty({
    description: 'base64url of the Ed25519 signature over the RFC 8785 canonical JSON (JCS) of {tenantId, seq, headHash, issuedAt, keyId}',
    example: 'vbXd0enHPRPj84Q0YRhuMyNpQmkjlbydebrXLfSNtYAj-Kv48GH71ITUcwtht7ti2YnkUJfcouDf6G8PMcgFCg',
  })
  signature: string;
}

export class AuditCheckpointPage {
  @ApiProperty({ type: [AuditCheckpointResource] }) data: AuditCheckpointResource[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}

class JwkResource implements Ed25519PublicJwk {
  @ApiProperty({ enum: ['OKP'] }) kty: 'OKP';
  @ApiProperty({ enum: ['Ed25519'] }) crv: 'Ed25519';
  @ApiProperty({ description: 'The public key, base64url', example: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }) x: string;
  @ApiProperty({ description: 'The RFC 7638 thumbprint of the key', example: EXAMPLE_KID }) kid: string;
  @ApiProperty({ enum: ['sig'] }) use: 'sig';
  @ApiProperty({ enum: ['EdDSA'] }) alg: 'EdDSA';
}

export class JwksResource implements Jwks {
  @ApiProperty({ type: [JwkResource], description: 'The current key and every retired one: old checkpoints stay verifiable' })
  keys: JwkResource[];
}
