// First of all, as the other services do, though here it hooks nothing: the verify service's
// tracing is hand-made, a SERVER span per sampled request on its hot routes and no instrumentation
// or context whose cost every request would pay; with no OTLP endpoint set it loads nothing
// (docs/operations.md, Tracing).
import { startTracing } from '@keyward/platform/tracing/tracing';
startTracing('keyward-verify', process.env, { handMade: true });

import { enforceShutdownDeadline, loadKeywardConfig, Metrics } from '@keyward/platform';
import cluster from 'node:cluster';
import { exposeClusterMetrics } from './cluster-metrics';
import { runVerifyPrimary } from './verify-cluster';
import { createVerifyApp } from './verify.app';

async function main(): Promise<void> {
  const config = loadKeywardConfig(process.env);
  if (config.verifyWorkers > 1 && cluster.isPrimary) {
    runVerifyPrimary(config.verifyWorkers, config.shutdownGraceMs);
    return;
  }
  enforceShutdownDeadline(config.shutdownGraceMs, 'verify');
  const app = await createVerifyApp({ config });
  if (cluster.isWorker) exposeClusterMetrics(app.get(Metrics));
  await app.listen({ port: config.verifyPort, host: config.host });
}

main().catch((error: Error) => {
  process.stderr.write(`verify failed to start: ${error.message}\n`);
  process.exit(1);
});
