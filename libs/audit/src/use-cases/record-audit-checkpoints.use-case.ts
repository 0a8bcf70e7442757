import { TenantTransactions, type TenantTx } from '@keyward/platform';
import type { Signer } from '@keyward/signing';
import { Injectable, Logger } from '@nestjs/common';
import { AuditCheckpointsRepository } from '../audit-checkpoints.repository';
import { IssueAuditCheckpointUseCase } from './issue-audit-checkpoint.use-case';

const TENANTS_PER_BATCH = 500;

export interface CheckpointRunReport {
  /** Checkpoints kept by this run: one per tenant whose chain moved since its last one. */
  recorded: number;
  /** Tenants whose event at their last kept checkpoint no longer has the kept hash: none kept. */
  refused: number;
}

type Outcome = 'recorded' | 'refused' | 'raced';

/**
 * The worker's hourly run (docs/auditing.md, Checkpoints): keeps a signed checkpoint of every tenant
 * whose chain has events past its last kept checkpoint; a tenant with nothing new gets none. Each
 * tenant in its own transaction; a run racing another keeps each checkpoint once. A chain whose
 * event at the last kept checkpoint has changed was rewritten: it gets no new checkpoint (which would
 * sign the rewritten history), and the run reports and logs it.
 */
@Injectable()
export class RecordAuditCheckpointsUseCase {
  private readonly logger = new Logger(RecordAuditCheckpointsUseCase.name);

  constructor(
    private readonly transactions: TenantTransactions,
    private readonly checkpoints: AuditCheckpointsRepository,
    private readonly issue: IssueAuditCheckpointUseCase,
  ) {}

  async execute(): Promise<CheckpointRunReport> {
    const report: CheckpointRunReport = { recorded: 0, refused: 0 };
    // One key for the whole run, fetched outside the tenant transactions (see IssueAuditCheckpointUseCase).
    const signer = await this.issue.signer();
    let afterId: string | null = null;
    for (;;) {
      const tenants = await this.checkpoints.tenantsDue(afterId, TENANTS_PER_BATCH);
      for (const tenantId of tenants) {
        const outcome = await this.transactions.run(tenantId, (tx) => this.record(tx, signer));
        if (outcome === 'raced') continue;
        report[outcome]++;
        if (outcome === 'refused') {
          this.logger.error(
            { tenantId },
            'Audit chain no longer extends its last kept checkpoint: history was rewritten; no checkpoint kept',
          );
        }
      }
      if (tenants.length < TENANTS_PER_BATCH) return report;
      afterId = tenants[tenants.length - 1];
    }
  }

  private async record(tx: TenantTx, signer: Signer): Promise<Outcome> {
    const last = await this.checkpoints.lastKept(tx);
    if (last && (await this.checkpoints.hashAt(tx, last.seq)) !== last.headHash) return 'refused';
    return (await this.checkpoints.insert(tx, await this.issue.signHead(tx, signer))) ? 'recorded' : 'raced';
  }
}
