// docs/auditing.md, Checkpoints: a checkpoint is the head of a tenant's chain, signed with Ed25519
// over the RFC 8785 canonical JSON (JCS) of every field but the signature.
import canonicalize from 'canonicalize';

export interface UnsignedAuditCheckpoint {
  tenantId: string;
  seq: number;
  headHash: string;
  issuedAt: string;
  keyId: string;
}

export interface AuditCheckpoint extends UnsignedAuditCheckpoint {
  /** base64url of the Ed25519 signature over checkpointSigningInput() */
  signature: string;
}

/** The bytes a checkpoint's signature covers: JCS of exactly the five signed fields. */
export function checkpointSigningInput(checkpoint: UnsignedAuditCheckpoint): Buffer {
  const { tenantId, seq, headHash, issuedAt, keyId } = checkpoint;
  return Buffer.from(canonicalize({ tenantId, seq, headHash, issuedAt, keyId })!, 'utf8');
}
