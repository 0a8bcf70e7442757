/** The scheduled jobs, each with its own BullMQ queue of the same name (CONTRACT Platform operator). */
export const SCHEDULED_JOBS = ['rotation', 'expiry', 'unused-audit'] as const;

export type ScheduledJob = (typeof SCHEDULED_JOBS)[number];

/** The queue of webhook deliveries. */
export const WEBHOOK_DELIVERY_QUEUE = 'webhooks';

/** The one job name a scheduled queue runs: a pass over every tenant. */
export const RUN_JOB = 'run';

export function isScheduledJob(value: string): value is ScheduledJob {
  return (SCHEDULED_JOBS as readonly string[]).includes(value);
}
