// Runs a baseline server in BENCH_PROCESSES processes sharing one port (node:cluster), as the
// verify service runs in VERIFY_WORKERS: like is compared with like (docs/benchmarks.md). With one
// process, the server runs in this one. Tells the bench 'ready' once every process listens.
import cluster from 'node:cluster';
import type { Server } from 'node:http';

export function serveInProcesses(listen: (ready: () => void) => Server): void {
  const processes = Number(process.env.BENCH_PROCESSES ?? 1);
  if (processes <= 1) {
    listen(() => process.send?.('ready'));
    return;
  }
  if (cluster.isPrimary) {
    let listening = 0;
    for (let i = 0; i < processes; i++) cluster.fork().once('listening', () => ++listening === processes && process.send?.('ready'));
    process.once('SIGTERM', () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
      process.exit(0);
    });
    return;
  }
  listen(() => undefined);
}
