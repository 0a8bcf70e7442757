import { NotFoundError } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { isScheduledJob, type ScheduledJob } from '../job-names';
import { JobQueues } from '../job-queues';

export interface JobReport {
  jobId: string;
  name: ScheduledJob;
  state: 'waiting' | 'active' | 'completed' | 'failed';
  result?: unknown;
}

const JOB_ID = /^([a-z-]+)_[0-9a-f-]{36}$/;

/** A run's state and, once completed, what it did in counts. */
@Injectable()
export class GetJobUseCase {
  constructor(private readonly queues: JobQueues) {}

  async execute(jobId: string): Promise<JobReport> {
    const name = JOB_ID.exec(jobId)?.[1];
    if (!name || !isScheduledJob(name)) throw new NotFoundError('The job');
    return this.queues.use(name, async (queue) => {
      const job = await queue.getJob(jobId);
      if (!job) throw new NotFoundError('The job');
      const state = await job.getState();
      const report: JobReport = {
        jobId,
        name,
        state: state === 'completed' || state === 'failed' || state === 'active' ? state : 'waiting',
      };
      // The job was loaded before its state was read: a run that completed in between is loaded again for its result.
      if (state === 'completed') report.result = job.returnvalue ?? (await queue.getJob(jobId))?.returnvalue;
      if (state === 'failed') report.result = { error: 'The run failed; it is retried on the next schedule.' };
      return report;
    });
  }
}
