import { Metrics } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';

/** Runs, failures and duration of every job, on the worker's /metrics. */
@Injectable()
export class JobMetrics {
  private readonly runs: Counter<'job' | 'outcome'>;
  private readonly duration: Histogram<'job'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.runs = new Counter({
      name: 'keyward_job_runs_total',
      help: 'Job runs by job and outcome',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'keyward_job_duration_seconds',
      help: 'Duration of job runs',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    });
  }

  /** Runs `work` as one run of `job`, counting its outcome and duration. */
  async measure<T>(job: string, work: () => Promise<T>): Promise<T> {
    const stop = this.duration.startTimer({ job });
    try {
      const result = await work();
      this.runs.inc({ job, outcome: 'completed' });
      return result;
    } catch (error) {
      this.runs.inc({ job, outcome: 'failed' });
      throw error;
    } finally {
      stop();
    }
  }
}
