// A run the platform operator asks for (POST /v1/jobs/{name}/run) is added to its queue parked: as
// a job delayed by MANUAL_RUN_PARK_MS, which no worker takes. Only once Redis has answered the add
// in time, and so the request is answered 202, is it released (promoted to waiting). An add that
// was not answered in time is answered 503, and the job, should the add still reach Redis later,
// is removed right behind it; were that removal lost too, the job would stay parked and be refused
// by the worker when its delay ends. So a run the client was told failed never runs
// (docs/failure-modes.md).
import type { Job } from 'bullmq';

/** Far beyond any wait for a worker, and short enough for BullMQ's delayed-job scores. */
export const MANUAL_RUN_PARK_MS = 365 * 24 * 60 * 60 * 1000;

export interface ManualRunData {
  trigger: 'manual';
  /** The trace of the request that asked for the run, continued by the worker's (docs/operations.md, Tracing). */
  traceparent?: string;
}

/**
 * Whether `job` reached a worker because its parking delay ran out rather than because it was
 * released: a run whose request was answered 503. A released run is promoted milliseconds after it
 * was added; a parked one becomes due MANUAL_RUN_PARK_MS after.
 */
export function isUnreleasedManualRun(job: Pick<Job, 'data' | 'timestamp'>, now = Date.now()): boolean {
  return (job.data as Partial<ManualRunData> | undefined)?.trigger === 'manual' && now - job.timestamp >= MANUAL_RUN_PARK_MS;
}
