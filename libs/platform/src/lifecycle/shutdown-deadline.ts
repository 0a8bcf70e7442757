/**
 * Bounds a graceful stop: once SIGTERM or SIGINT arrives the process drains (Nest's shutdown hooks
 * close the server, let in-flight work finish, close pools), and if that takes longer than
 * SHUTDOWN_GRACE_MS it exits anyway, so an orchestrator's restart never hangs.
 */
export function enforceShutdownDeadline(graceMs: number, service: string): void {
  const arm = (signal: NodeJS.Signals): void => {
    setTimeout(() => {
      process.stderr.write(`${service}: graceful shutdown after ${signal} took longer than ${graceMs} ms; exiting\n`);
      process.exit(1);
    }, graceMs).unref();
  };
  process.once('SIGTERM', arm);
  process.once('SIGINT', arm);
}
