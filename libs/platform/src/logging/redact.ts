/** Field names whose values never reach a log line, at any depth (docs/api.md, Secrets). */
const SECRET_FIELD = /^(authorization|proxy-authorization|cookie|set-cookie|key|token|secret|password|pepper|x-api-key)$/i;

export const REDACTED = '[REDACTED]';

/**
 * Past this depth a subtree is replaced, not copied: it was not searched for secrets, so it must
 * not reach a log line (fail closed).
 */
const MAX_DEPTH = 64;
const TOO_DEEP = '[TOO DEEP]';
const CIRCULAR = '[CIRCULAR]';

/**
 * Deep copy of a log record with secret-named fields replaced. pino's own `redact` needs every path
 * spelled out; this walks the whole record, so a secret nested anywhere is caught.
 */
export function redactSecrets(value: unknown): unknown {
  return redactWithin(value, 0, new Set());
}

function redactWithin(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error || value instanceof Date) return value;
  if (ancestors.has(value)) return CIRCULAR;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactWithin(item, depth + 1, ancestors));
    const out: Record<string, unknown> = {};
    for (const [name, inner] of Object.entries(value)) {
      out[name] = SECRET_FIELD.test(name) ? REDACTED : redactWithin(inner, depth + 1, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
