import type { CheckpointRunReport } from '@keyward/audit';
import { Metrics } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';

const OUTCOMES = ['recorded', 'refused'] as const;

/**
 * The hourly audit checkpoints on the worker's /metrics: kept, and refused because a chain no
 * longer extends its last kept checkpoint, which only a rewrite of history causes (docs/auditing.md).
 */
@Injectable()
export class AuditCheckpointMetrics {
  private readonly checkpoints: Counter<'outcome'>;

  constructor(metrics: Metrics) {
    this.checkpoints = new Counter({
      name: 'keyward_audit_checkpoints_total',
      help: 'Audit checkpoints of the hourly run, by outcome (recorded; refused: the chain was rewritten since its last checkpoint)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    // Both series exist from the start, so that an alert on their increase sees the first one.
    for (const outcome of OUTCOMES) this.checkpoints.inc({ outcome }, 0);
  }

  record(report: CheckpointRunReport): CheckpointRunReport {
    for (const outcome of OUTCOMES) this.checkpoints.inc({ outcome }, report[outcome]);
    return report;
  }
}
