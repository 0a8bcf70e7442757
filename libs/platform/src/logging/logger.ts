import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACTED, redactSecrets } from './redact';

export interface LoggerOptions {
  level: string;
  service: string;
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
 * followed by its 38-character body (CONTRACT Secrets), whatever the deployment's prefix: a caller
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

/** The process's one pino logger: JSON lines, secrets redacted in every record. */
export function createRootLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: { log: (record) => redactSecrets(record) as Record<string, unknown> },
      serializers: { req: redactRequest, err: serializeError },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
