/**
 * Why a manual run is refused when its parking delay ran out: its request was answered 503, so
 * it must never run (libs/jobs/src/manual-runs.ts, docs/failure-modes.md).
 */
export const REFUSED_MANUAL_RUN = 'Refused: this run was asked for by a request answered 503 (it was never released), so it does not run.';
