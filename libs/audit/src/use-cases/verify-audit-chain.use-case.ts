import { TenantTransactions } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { AuditRepository } from '../audit.repository';
import type { AuditEvent } from '../domain/audit-event';
import { ChainVerifier, type ChainPoint, type ChainVerdict } from '../domain/hash-chain';

const BATCH_SIZE = 1000;

/**
 * Reads a tenant's whole chain in seq order, one batch of BATCH_SIZE at a time, up to the head it
 * started at, and checks it (GET /v1/audit-events/verify).
 */
@Injectable()
export class VerifyAuditChainUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly repository: AuditRepository,
  ) {}

  private async *events(tenantId: string): AsyncGenerator<AuditEvent> {
    const upToSeq = await this.transactions.run(tenantId, (tx) => this.repository.headSeq(tx));
    let afterSeq = 0;
    while (afterSeq < upToSeq) {
      const batch = await this.transactions.run(tenantId, (tx) => this.repository.find(tx, { afterSeq, upToSeq }, BATCH_SIZE));
      if (batch.length === 0) return;
      for (const event of batch) yield event;
      afterSeq = batch[batch.length - 1].seq;
    }
  }

  /**
   * Recomputes the whole chain: `{valid: true, count, headHash}` or the first broken seq; given a
   * kept checkpoint, also whether the chain still passes through it (`extendsCheckpoint`).
   */
  async verify(tenantId: string, checkpoint?: ChainPoint): Promise<ChainVerdict & { extendsCheckpoint?: boolean }> {
    const verifier = new ChainVerifier(checkpoint);
    for await (const event of this.events(tenantId)) {
      if (!verifier.add(event)) break;
    }
    const verdict = verifier.verdict();
    return checkpoint ? { ...verdict, extendsCheckpoint: verifier.extendsCheckpoint() } : verdict;
  }
}
