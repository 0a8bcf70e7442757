import { TenantTransactions, type Page } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { AuditCheckpointsRepository } from '../audit-checkpoints.repository';
import type { AuditCheckpoint } from '../domain/audit-checkpoint';
import { decodeSeqCursor, seqPage } from './list-audit-events.use-case';

/** The tenant's kept checkpoints in seq order, a page at a time (GET /v1/audit-events/checkpoints). */
@Injectable()
export class ListAuditCheckpointsUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly checkpoints: AuditCheckpointsRepository,
  ) {}

  async execute({ tenantId, limit, cursor }: { tenantId: string; limit: number; cursor?: string }): Promise<Page<AuditCheckpoint>> {
    const afterSeq = cursor ? decodeSeqCursor(cursor) : undefined;
    const rows = await this.transactions.run(tenantId, (tx) => this.checkpoints.find(tx, afterSeq, limit + 1));
    return seqPage(rows, limit);
  }
}
