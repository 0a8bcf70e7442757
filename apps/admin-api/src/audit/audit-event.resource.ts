import type { AuditEvent } from '@keyward/audit';
import { ApiProperty } from '@nestjs/swagger';

class AuditParty {
  @ApiProperty({ example: 'credential' }) type: string;
  @ApiProperty() id: string;
}

/** An event exactly as stored and hashed: the API adds and removes nothing. */
export class AuditEventResource implements AuditEvent {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Position in the tenant chain, from 1 without gaps' }) seq: number;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ type: AuditParty }) actor: AuditParty;
  @ApiProperty({ example: 'credential.created' }) action: string;
  @ApiProperty({ type: AuditParty }) target: AuditParty;
  @ApiProperty({ type: String, nullable: true }) requestId: string | null;
  @ApiProperty({ type: String, nullable: true }) ip: string | null;
  @ApiProperty({ type: Object, description: 'What changed; never a secret' }) details: AuditEvent['details'];
  @ApiProperty({ description: 'hash of the previous event (64 zeros for the first)' }) prevHash: string;
  @ApiProperty({ description: 'SHA-256 hex of prevHash + "\\n" + JCS(event without prevHash and hash)' }) hash: string;
}

export class AuditEventPage {
  @ApiProperty({ type: [AuditEventResource] }) data: AuditEventResource[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class AuditChainVerdict {
  @ApiProperty() valid: boolean;
  @ApiProperty({ required: false, description: 'Events checked (when valid)' }) count?: number;
  @ApiProperty({ required: false, description: 'hash of the last event (when valid)' }) headHash?: string;
  @ApiProperty({ required: false, description: 'First seq whose event does not verify (when not valid)' }) brokenAtSeq?: number;
}
