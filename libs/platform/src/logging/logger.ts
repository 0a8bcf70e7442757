import pino, { type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import { isColorSupported, prettyFactory } from 'pino-pretty';
import { REDACTED, redactSecrets } from './redact';

export interface LoggerOptions {
  level: LevelWithSilent;
  service: string;
  /** `json` (the default): one JSON object a line. `pretty`: one readable line a record, for a terminal. */
  format?: 'json' | 'pretty';
  /** Where lines go; tests pass a stream to read them back. Defaults to stdout. */
  destination?: DestinationStream;
}

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
}

/**
 * Anything shaped like a key (`<prefix>_live_`/`<prefix>_test_`) or a tenant credential (`<prefix>c_`)
 * followed by its 38-character body (docs/api.md, Secrets), whatever the deployment's prefix: a caller
 * may paste one into a URL, which is logged as sent.
 */
const SECRET_SHAPE = /[a-z0-9]{2,12}(?:_live_|_test_|c_)[0-9A-Za-z]{38}/g;

/**
 * The value of a query parameter named like a secret (bearer libraries read `access_token` there),
 * whatever its shape: the platform operator's token has none.
 */
const SECRET_QUERY_VALUE = /([?&](?:access_token|token|key|api_key|apikey|secret|password|authorization)=)[^&#]*/gi;

/** A request as logged: method, url and headers, with secret headers and secret-shaped URL parts redacted. */
export function redactRequest(req: SerializedRequest): SerializedRequest {
  return {
    id: req.id,
    method: req.method,
    url: typeof req.url === 'string' ? req.url.replace(SECRET_SHAPE, REDACTED).replace(SECRET_QUERY_VALUE, `$1${REDACTED}`) : req.url,
    headers: redactSecrets(req.headers) as Record<string, unknown>,
    remoteAddress: req.remoteAddress,
  };
}

/**
 * Errors as logged: type, message, code and stack. A database error also carries its query's
 * parameters (a token's or key's keyed hash, for one), and those never reach a log line.
 */
export function serializeError(error: unknown): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  const { parameters: _parameters, driverError: _driverError, query: _query, ...kept } = serialized;
  return kept;
}

/** Belt and braces: pino's own redaction of the usual places, bindings included. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  '*.token',
  '*.key',
  '*.secret',
  'token',
  'key',
  'secret',
  'authorization',
];

/**
 * Nest's own start-up chatter (a line per module loaded and per route mapped, some 60 a process):
 * written at debug, not at info as Nest says it.
 */
const FRAMEWORK_CONTEXTS = new Set(['NestFactory', 'NestApplication', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

function isFrameworkChatter(record: unknown): boolean {
  const context = typeof record === 'object' && record !== null ? (record as { context?: unknown }).context : undefined;
  return typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context);
}

const INFO = pino.levels.values.info;

/** An access line as the pretty format shows it: `GET /v1/keys 404 3 ms`. */
interface AccessRecord {
  req?: { method?: string; url?: string };
  res?: { statusCode?: number | null };
  responseTime?: number;
}

/**
 * Lines for a terminal: time, level, service, context and message on one line, the other fields
 * after it as JSON, an error's stack below. Made from the JSON line, so it shows exactly what the
 * JSON format would, redactions included.
 */
function prettyDestination(destination: DestinationStream, colorize: boolean): DestinationStream {
  const prettify = prettyFactory({
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    // Only `err` (an error with its stack, serializeError) gets lines of its own; the `error` of a
    // connection state change is a summary without a stack, kept on the line.
    errorLikeObjectKeys: ['err'],
    ignore: 'pid,hostname,service,context,req,res,responseTime',
    messageFormat: (record, messageKey) => {
      const { service, context } = record as { service?: string; context?: string };
      const where = [service, context].filter((part) => typeof part === 'string' && part !== '').join(' ');
      const { req, res, responseTime } = record as AccessRecord;
      const message = record[messageKey];
      // An access line says its request, answer and time; its message (`request completed`) adds nothing.
      if (req !== undefined && res !== undefined) return `${where}: ${req.method} ${req.url} ${res.statusCode} ${responseTime} ms`;
      return `${where}: ${typeof message === 'string' ? message : ''}`;
    },
  });
  return { write: (line: string) => destination.write(prettify(line)) };
}

/** The process's one pino logger: JSON lines (or pretty ones), secrets redacted in every record. */
export function createRootLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ sync: false });
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: { log: (record) => redactSecrets(record) as Record<string, unknown> },
      serializers: { req: redactRequest, err: serializeError },
      hooks: {
        logMethod(args, method, level) {
          if (level === INFO && isFrameworkChatter(args[0])) return this.debug(...args);
          return method.apply(this, args);
        },
      },
    },
    // Colours for a terminal that shows them (pino-pretty's test of stdout), never for a destination of the caller's.
    options.format === 'pretty' ? prettyDestination(destination, options.destination === undefined && isColorSupported) : destination,
  );
}
