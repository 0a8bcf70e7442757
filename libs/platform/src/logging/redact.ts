/** Field names whose values never reach a log line, at any depth (CONTRACT "Secrets"). */
const SECRET_FIELD = /^(authorization|key|token|secret|password|pepper|x-api-key)$/i;

export const REDACTED = '[REDACTED]';

/**
 * Deep copy of a log record with secret-named fields replaced. pino's own `redact` needs every path
 * spelled out; this walks the whole record, so a secret nested anywhere is caught.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value)) {
    out[name] = SECRET_FIELD.test(name) ? REDACTED : redactSecrets(inner, depth + 1);
  }
  return out;
}
