import { DomainError, NotFoundError } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { ALL_QUEUES } from '../job-names';
import { JobQueues } from '../job-queues';

/** Runs a failed job again (the dashboard's retry). Every job is idempotent, so a retry is safe. */
@Injectable()
export class RetryJobUseCase {
  constructor(private readonly queues: JobQueues) {}

  async execute(queueName: string, jobId: string): Promise<{ jobId: string; state: string }> {
    if (!ALL_QUEUES.includes(queueName)) throw new NotFoundError('The job');
    return this.queues.use(queueName, async (queue) => {
      const job = await queue.getJob(jobId);
      if (!job) throw new NotFoundError('The job');
      if ((await job.getState()) !== 'failed') throw new DomainError('CONFLICT', 'Only a failed job can be retried.');
      await job.retry('failed');
      return { jobId, state: await job.getState() };
    });
  }
}
