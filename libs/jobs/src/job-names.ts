/** The scheduled jobs, each with its own BullMQ queue of the same name (docs/api.md, Platform operator). */
export const SCHEDULED_JOBS = ['rotation', 'expiry', 'unused-audit', 'signals'] as const;

export type ScheduledJob = (typeof SCHEDULED_JOBS)[number];

/** The queue of webhook deliveries. */
export const WEBHOOK_DELIVERY_QUEUE = 'webhooks';

/** The queue of periodic clean-up (retention: docs/operations.md). */
export const HOUSEKEEPING_QUEUE = 'housekeeping';

/** Every queue, as the dashboard lists them. */
export const ALL_QUEUES: readonly string[] = [...SCHEDULED_JOBS, WEBHOOK_DELIVERY_QUEUE, HOUSEKEEPING_QUEUE];

/** The one job name a scheduled queue runs: a pass over every tenant. */
export const RUN_JOB = 'run';

export function isScheduledJob(value: string): value is ScheduledJob {
  return (SCHEDULED_JOBS as readonly string[]).includes(value);
}
