// One log line per change of a connection's state, not one per failed retry or command: during an
// outage a connection fails every few hundred milliseconds, and each failure would otherwise be a
// line (or, from a library's console.error, a multi-line stack). See docs/failure-modes.md.

export interface StateLogger {
  warn(message: unknown, ...rest: unknown[]): void;
}

/** What an error says, without its stack: a line that stays short however often it is written. */
export function errorSummary(error: unknown): { message: string; code?: string } {
  const { message, code } = (typeof error === 'object' && error !== null ? error : {}) as { message?: unknown; code?: unknown };
  if (typeof message !== 'string') return { message: String(error) };
  return typeof code === 'string' ? { message, code } : { message };
}

export class ConnectionStateLog {
  private downSince: number | null = null;

  /**
   * @param logger where the lines go (a Nest Logger: JSON through pino)
   * @param what what lost its connection, as the lines name it (e.g. 'Redis (job queues)')
   */
  constructor(
    private readonly logger: StateLogger,
    private readonly what: string,
  ) {}

  get isDown(): boolean {
    return this.downSince !== null;
  }

  /** A failure: logged only when it is the first since the connection was last known up. */
  failed(error: unknown, detail = 'retrying without a line per attempt until it answers again'): void {
    if (this.downSince !== null) return;
    this.downSince = Date.now();
    this.logger.warn({ error: errorSummary(error) }, `${this.what} unavailable: ${detail}`);
  }

  /**
   * A success: logged only when it ends a failure, at the failure's level (warn), so that a log
   * level that shows an outage also shows its end (`npm start` logs from warn).
   */
  recovered(): void {
    if (this.downSince === null) return;
    const downForMs = Date.now() - this.downSince;
    this.downSince = null;
    this.logger.warn({ downForMs }, `${this.what} available again`);
  }
}
