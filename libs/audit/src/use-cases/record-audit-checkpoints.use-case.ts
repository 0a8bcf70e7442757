import { TenantTransactions } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { AuditCheckpointsRepository } from '../audit-checkpoints.repository';
import { IssueAuditCheckpointUseCase } from './issue-audit-checkpoint.use-case';

const TENANTS_PER_BATCH = 500;

export interface CheckpointRunReport {
  /** Checkpoints kept by this run: one per tenant whose chain moved since its last one. */
  recorded: number;
}

/**
 * The worker's hourly run (docs/auditing.md, Checkpoints): keeps a signed checkpoint of every tenant
 * whose chain has events past its last kept checkpoint; a tenant with nothing new gets none. Each
 * tenant in its own transaction; a run racing another keeps each checkpoint once.
 */
@Injectable()
export class RecordAuditCheckpointsUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly checkpoints: AuditCheckpointsRepository,
    private readonly issue: IssueAuditCheckpointUseCase,
  ) {}

  async execute(): Promise<CheckpointRunReport> {
    let recorded = 0;
    let afterId: string | null = null;
    for (;;) {
      const tenants = await this.checkpoints.tenantsDue(afterId, TENANTS_PER_BATCH);
      for (const tenantId of tenants) {
        const kept = await this.transactions.run(tenantId, async (tx) => this.checkpoints.insert(tx, await this.issue.signHead(tx)));
        if (kept) recorded++;
      }
      if (tenants.length < TENANTS_PER_BATCH) return { recorded };
      afterId = tenants[tenants.length - 1];
    }
  }
}
