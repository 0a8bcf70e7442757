import { isUnreleasedManualRun, RUN_JOB } from '@keyward/jobs';
import { SendUsageSignalsUseCase, type SignalsRunReport } from '@keyward/keys';
import { Metrics } from '@keyward/platform';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { Counter } from 'prom-client';
import { BullConnectionLog } from './bull-connection-log';
import { JobMetrics } from './job-metrics';
import { REFUSED_MANUAL_RUN } from './refused-manual-run';

const SIGNAL_TYPES = ['credits_low', 'limit_near', 'rate_limited', 'usage_spike', 'new_source'] as const;

/**
 * The `signals` queue: each run sends the usage signals due (see SendUsageSignalsUseCase) and counts
 * them by type in `keyward_signals_total` (docs/operations.md): no key or tenant in a label.
 */
@Processor('signals')
export class SignalsProcessor extends WorkerHost {
  private readonly logger = new Logger(SignalsProcessor.name);
  private readonly sent: Counter<'type'>;

  constructor(
    private readonly sendSignals: SendUsageSignalsUseCase,
    private readonly jobMetrics: JobMetrics,
    private readonly connectionLog: BullConnectionLog,
    metrics: Metrics,
  ) {
    super();
    this.sent = new Counter({
      name: 'keyward_signals_total',
      help: 'Usage signals sent (webhooks key.<type> queued), by type',
      labelNames: ['type'],
      registers: [metrics.registry],
    });
    for (const type of SIGNAL_TYPES) this.sent.inc({ type }, 0);
  }

  async process(job: Job): Promise<SignalsRunReport> {
    if (job.name !== RUN_JOB) throw new Error(`Unknown signals job ${job.name}`);
    if (isUnreleasedManualRun(job)) throw new UnrecoverableError(REFUSED_MANUAL_RUN);
    const report = await this.jobMetrics.measure('signals', () => this.sendSignals.execute());
    for (const type of SIGNAL_TYPES) if (report[type] > 0) this.sent.inc({ type }, report[type]);
    return report;
  }

  /** A failed run (the database away, say) sent nothing it did not record; the next run looks again. */
  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.error({ err: error, jobId: job?.id }, 'Signals run failed; the next run retries it');
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.connectionLog.error(error, 'signals worker');
  }

  @OnWorkerEvent('ready')
  onReady(): void {
    this.connectionLog.ready();
  }
}
