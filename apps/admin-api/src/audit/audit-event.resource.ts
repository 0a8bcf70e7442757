import type { AuditEvent } from '@keyward/audit';
import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE } from '../openapi-examples';

class AuditParty {
  @ApiProperty({
    description: 'For an actor: platform, credential or system (a scheduled job); for a target: the kind of resource, such as key',
    example: 'credential',
  })
  type: string;
  @ApiProperty({ description: 'Its id: `platform` for the platform operator, the job for a scheduled run', example: EXAMPLE.credentialId })
  id: string;
}

/** An event exactly as stored and hashed: the API adds and removes nothing. */
export class AuditEventResource implements AuditEvent {
  @ApiProperty({ format: 'uuid', example: EXAMPLE.auditEventId }) id: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Position in the tenant chain, from 1 without gaps', example: 42 }) seq: number;
  @ApiProperty({ format: 'date-time', example: EXAMPLE.createdAt }) occurredAt: string;
  @ApiProperty({ type: AuditParty }) actor: AuditParty;
  @ApiProperty({ description: 'What happened, such as key.created or tenant.suspended', example: 'key.created' }) action: string;
  @ApiProperty({ type: AuditParty }) target: AuditParty;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The request that made the change, or the id of the scheduled run that did',
    example: EXAMPLE.requestId,
  })
  requestId: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The caller's address; null for the scheduled jobs", example: '203.0.113.7' })
  ip: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What changed; never a secret',
    example: { name: 'Checkout service' },
  })
  details: AuditEvent['details'];
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'hash of the previous event (64 zeros for the first)', example: EXAMPLE.hash })
  prevHash: string;
  @ApiProperty({
    pattern: '^[0-9a-f]{64}$',
    description: 'SHA-256 hex of prevHash + "\\n" + JCS(event without prevHash and hash), JCS being RFC 8785',
    example: EXAMPLE.hash,
  })
  hash: string;
}

export class AuditEventPage {
  @ApiProperty({ type: [AuditEventResource] }) data: AuditEventResource[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}

export class AuditChainVerdict {
  @ApiProperty() valid: boolean;
  @ApiProperty({ type: 'integer', minimum: 0, required: false, description: 'Events checked (when valid)', example: 42 }) count?: number;
  @ApiProperty({ required: false, description: 'hash of the last event (when valid)', example: EXAMPLE.hash }) headHash?: string;
  @ApiProperty({ type: 'integer', minimum: 1, required: false, description: 'First seq whose event does not verify (when not valid)' })
  brokenAtSeq?: number;
  @ApiProperty({
    required: false,
    description:
      'With checkpointSeq and checkpointHash: true only when the chain is valid and its event at checkpointSeq has exactly that hash',
  })
  extendsCheckpoint?: boolean;
}
