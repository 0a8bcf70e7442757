import pino, { type DestinationStream, type Logger } from 'pino';
import { redactSecrets } from './redact';

export interface LoggerOptions {
  level: string;
  service: string;
  /** Where lines go; tests pass a stream to read them back. Defaults to stdout. */
  destination?: DestinationStream;
}

/** The process's one pino logger: JSON lines, secrets redacted in every record. */
export function createRootLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (record) => redactSecrets(record) as Record<string, unknown> },
      serializers: {
        req: (req: { id?: unknown; method?: string; url?: string; headers?: Record<string, unknown>; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          headers: redactSecrets(req.headers),
          remoteAddress: req.remoteAddress,
        }),
        err: pino.stdSerializers.err,
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
