import { Injectable } from '@nestjs/common';
import { ALL_QUEUES } from '../job-names';
import { JobQueues } from '../job-queues';

export interface QueueOverview {
  name: string;
  counts: Record<'waiting' | 'active' | 'completed' | 'failed' | 'delayed', number>;
  /** The queue's job schedulers and when each runs next. */
  schedules: Array<{ id: string; everyMs: number | null; next: string | null }>;
  /** The latest jobs, newest first: what each run did, or why it failed. */
  recent: RecentJob[];
}

export interface RecentJob {
  jobId: string;
  name: string;
  state: string;
  attempts: number;
  finishedAt: string | null;
  result: unknown;
  failedReason: string | null;
}

const RECENT_JOBS = 10;

/** The platform operator's view of the queues: job counts by state, the schedules and the latest jobs. */
@Injectable()
export class GetQueuesOverviewUseCase {
  constructor(private readonly queues: JobQueues) {}

  execute(): Promise<QueueOverview[]> {
    return Promise.all(
      ALL_QUEUES.map((name) =>
        this.queues.use(name, async (queue) => {
          const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
          const schedulers = await queue.getJobSchedulers(0, 20);
          const jobs = await queue.getJobs(['active', 'completed', 'failed'], 0, RECENT_JOBS * 3, false);
          const recent = await Promise.all(
            jobs
              .filter((job) => job?.id)
              .sort((x, y) => (y.finishedOn ?? y.timestamp) - (x.finishedOn ?? x.timestamp))
              .slice(0, RECENT_JOBS)
              .map(async (job) => ({
                jobId: job.id!,
                name: job.name,
                state: await job.getState(),
                attempts: job.attemptsMade,
                finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
                result: job.returnvalue ?? null,
                failedReason: job.failedReason ?? null,
              })),
          );
          return {
            name,
            counts: {
              waiting: counts.waiting ?? 0,
              active: counts.active ?? 0,
              completed: counts.completed ?? 0,
              failed: counts.failed ?? 0,
              delayed: counts.delayed ?? 0,
            },
            schedules: schedulers.map((scheduler) => ({
              id: String(scheduler.key),
              everyMs: scheduler.every ? Number(scheduler.every) : null,
              next: scheduler.next ? new Date(scheduler.next).toISOString() : null,
            })),
            recent,
          };
        }),
      ),
    );
  }
}
