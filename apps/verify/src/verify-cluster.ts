// VERIFY_WORKERS > 1: the primary process forks that many verify processes sharing one port
// (node:cluster) and supervises them; it serves nothing itself but the workers' requests for the
// whole service's metrics (cluster-metrics.ts). Every answer stays the same with
// any number of processes: limits and credits are counted in Redis, and each process drops its
// caches on the same invalidation messages.
import cluster, { type Worker } from 'node:cluster';
import { serveClusterMetrics } from './cluster-metrics';

const RESTART_DELAY_MS = 1_000;

export function runVerifyPrimary(workers: number, shutdownGraceMs: number): void {
  let stopping = false;
  /** Whether a worker failed to drain (its grace period cut it off, or it crashed) while stopping. */
  let unclean = false;
  const fork = (): Worker => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      // A drained worker ends with 0 or by the signal that stopped it (Nest raises it again once
      // drained): SIGTERM from here, or SIGINT from a terminal's Ctrl-C to the whole group.
      if (code !== 0 && signal !== 'SIGTERM' && signal !== 'SIGINT') unclean = true;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(unclean ? 1 : 0);
      return;
    }
    process.stderr.write(`verify worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
    setTimeout(fork, RESTART_DELAY_MS).unref();
  });
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    // Each worker drains on its own (shutdown hooks); the primary waits, within the grace period.
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(1), shutdownGraceMs + 1_000).unref();
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGTERM'));
  serveClusterMetrics();
  for (let i = 0; i < workers; i++) fork();
}
