import { Metrics, TenantTransactions } from '@keyward/platform';
import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
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
  private readonly logger = new Logger(VerifyAuditChainUseCase.name);
  /** What the audit alert reads (docs/runbooks.md): a broken chain is counted and logged with its tenant. */
  private readonly verifications: Counter<'result'>;

  constructor(
    private readonly transactions: TenantTransactions,
    private readonly repository: AuditRepository,
    metrics: Metrics,
  ) {
    this.verifications = new Counter({
      name: 'keyward_audit_chain_verifications_total',
      help: 'Audit chain verifications by result (valid, broken)',
      labelNames: ['result'],
      registers: [metrics.registry],
    });
    // Both from 0 at start: a first broken chain is then an increase that the alert can see.
    for (const result of ['valid', 'broken']) this.verifications.inc({ result }, 0);
  }

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
    this.verifications.inc({ result: verdict.valid ? 'valid' : 'broken' });
    if (!verdict.valid)
      this.logger.error({ tenantId, brokenAtSeq: verdict.brokenAtSeq }, 'Audit chain verification failed: the chain is broken');
    return checkpoint ? { ...verdict, extendsCheckpoint: verifier.extendsCheckpoint() } : verdict;
  }
}
