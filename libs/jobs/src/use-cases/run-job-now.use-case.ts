import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RUN_JOB, type ScheduledJob } from '../job-names';
import { JobQueues, QUEUE_ANSWER_MS, QueueUnavailableError } from '../job-queues';
import { MANUAL_RUN_PARK_MS, type ManualRunData } from '../manual-runs';
import { currentTraceparent, withTimeout } from '@keyward/platform';

/**
 * Enqueues a pass of a scheduled job now (the platform operator's run-now): 202 once Redis has
 * taken it, 503 within QUEUE_ANSWER_MS when it cannot, and then the run never happens
 * (manual-runs.ts, docs/failure-modes.md).
 */
@Injectable()
export class RunJobNowUseCase {
  constructor(private readonly queues: JobQueues) {}

  async execute(name: ScheduledJob): Promise<{ jobId: string }> {
    const queue = await this.queues.ready(name);
    // The id names its queue, so GET /v1/jobs/{jobId} finds it again.
    const jobId = `${name}_${randomUUID()}`;
    const traceparent = currentTraceparent();
    const data: ManualRunData = traceparent ? { trigger: 'manual', traceparent } : { trigger: 'manual' };
    const adding = queue.add(RUN_JOB, data, { jobId, delay: MANUAL_RUN_PARK_MS, removeOnComplete: 1000, removeOnFail: 1000 });
    let job;
    try {
      job = await withTimeout(adding, QUEUE_ANSWER_MS, 'job add');
    } catch (error) {
      // Answered 503: should the add still reach Redis, the run is removed right behind it.
      this.queues.discard(queue, jobId);
      if (JobQueues.isUnavailable(error)) throw new QueueUnavailableError();
      throw error;
    }
    await this.queues.release(job);
    return { jobId };
  }
}
