// docs/auditing.md, The chain: hash = SHA-256 hex of prevHash + "\n" + JCS(event without prevHash and hash),
// with JCS the RFC 8785 canonical JSON; the first event's prevHash is 64 zeros.
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { AuditEvent, AuditEventBody } from './audit-event';

export const GENESIS_HASH = '0'.repeat(64);

export function hashEvent(prevHash: string, body: AuditEventBody): string {
  const canonical = canonicalize(body);
  if (canonical === undefined) throw new Error('An audit event must be JSON');
  return createHash('sha256').update(`${prevHash}\n${canonical}`, 'utf8').digest('hex');
}

export function bodyOf(event: AuditEvent): AuditEventBody {
  const { prevHash: _prevHash, hash: _hash, ...body } = event;
  return body;
}

export type ChainVerdict = { valid: true; count: number; headHash: string } | { valid: false; brokenAtSeq: number };

/** A head an auditor kept (a checkpoint's seq and headHash): seq 0 is the empty chain's. */
export interface ChainPoint {
  seq: number;
  hash: string;
}

/**
 * Checks events in seq order, fed in as many batches as the caller likes: seq must count from 1
 * without gaps, each prevHash must be the previous hash, and each hash must match its content.
 * Given a kept head, it also tells whether the chain passes through it (docs/auditing.md, Checkpoints).
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private previousHash = GENESIS_HASH;
  private brokenAt: number | null = null;
  private passesCheckpoint: boolean;

  constructor(private readonly checkpoint?: ChainPoint) {
    this.passesCheckpoint = checkpoint?.seq === 0 && checkpoint.hash === GENESIS_HASH;
  }

  add(event: AuditEvent): boolean {
    if (this.brokenAt !== null) return false;
    const intact =
      event.seq === this.expectedSeq && event.prevHash === this.previousHash && hashEvent(event.prevHash, bodyOf(event)) === event.hash;
    if (!intact) {
      this.brokenAt = this.expectedSeq <= event.seq ? this.expectedSeq : event.seq;
      return false;
    }
    if (event.seq === this.checkpoint?.seq) this.passesCheckpoint = event.hash === this.checkpoint.hash;
    this.expectedSeq++;
    this.previousHash = event.hash;
    return true;
  }

  /** True only when the chain verifies and its event at the kept seq has exactly the kept hash. */
  extendsCheckpoint(): boolean {
    return this.brokenAt === null && this.passesCheckpoint;
  }

  verdict(): ChainVerdict {
    if (this.brokenAt !== null) return { valid: false, brokenAtSeq: this.brokenAt };
    return { valid: true, count: this.expectedSeq - 1, headHash: this.previousHash };
  }
}
