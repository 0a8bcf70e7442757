import { TenantTransactions, type TenantTx } from '@keyward/platform';
import { SigningKeyRing, type Signer } from '@keyward/signing';
import { Injectable } from '@nestjs/common';
import { AuditCheckpointsRepository } from '../audit-checkpoints.repository';
import { checkpointSigningInput, type AuditCheckpoint, type UnsignedAuditCheckpoint } from '../domain/audit-checkpoint';

/** The head of a tenant's chain, signed with the current audit key (GET /v1/audit-events/checkpoint). */
@Injectable()
export class IssueAuditCheckpointUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly checkpoints: AuditCheckpointsRepository,
    private readonly keyRing: SigningKeyRing,
  ) {}

  /**
   * The key is fetched before the tenant transaction opens: fetched inside, each request would hold
   * one pooled connection while waiting for a second.
   */
  async execute(tenantId: string): Promise<AuditCheckpoint> {
    const signer = await this.signer();
    return this.transactions.run(tenantId, (tx) => this.signHead(tx, signer));
  }

  signer(): Promise<Signer> {
    return this.keyRing.signer('audit');
  }

  /** Signs the head `tx` sees; the worker keeps what it signs in the same transaction. */
  async signHead(tx: TenantTx, signer: Signer): Promise<AuditCheckpoint> {
    const head = await this.checkpoints.head(tx);
    const unsigned: UnsignedAuditCheckpoint = {
      tenantId: tx.tenantId,
      seq: head.seq,
      headHash: head.hash,
      issuedAt: new Date().toISOString(),
      keyId: signer.keyId,
    };
    return { ...unsigned, signature: signer.sign(checkpointSigningInput(unsigned)) };
  }
}
