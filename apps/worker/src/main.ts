// First of all: tracing hooks node:http, pg and ioredis as the imports below load them; with no
// OTLP endpoint set it loads nothing (docs/operations.md, Tracing).
import { startTracing } from '@keyward/platform/tracing/tracing';
startTracing('keyward-worker');

import { enforceShutdownDeadline, loadKeywardConfig } from '@keyward/platform';
import { createWorkerApp } from './worker.app';

async function main(): Promise<void> {
  const config = loadKeywardConfig(process.env);
  enforceShutdownDeadline(config.shutdownGraceMs, 'worker');
  await createWorkerApp({ config });
}

main().catch((error: Error) => {
  process.stderr.write(`worker failed to start: ${error.message}\n`);
  process.exit(1);
});
