// Where the services started in the test process log by default: a sink the test environment puts on
// the global object (support/log-capture-environment.ts), which shows its lines only when a test fails.
import type { DestinationStream } from 'pino';

export const LOG_SINK_GLOBAL = 'keywardLogSink';

/** The environment's sink; undefined (so stdout) under another jest environment. */
export function inProcessLogSink(): DestinationStream | undefined {
  return (globalThis as Record<string, unknown>)[LOG_SINK_GLOBAL] as DestinationStream | undefined;
}
