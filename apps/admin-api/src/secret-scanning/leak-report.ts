// The body of a GitHub secret scanning report (docs/secret-scanning.md): a JSON array of at most
// 1,000 `{token, type, url, source}`. Fields GitHub may add later are ignored.
import { parseJsonBody, ValidationFailedError, type FieldError } from '@keyward/platform';

export const MAX_REPORTED_TOKENS = 1_000;
/** Each item holds 4 fields, and room for a few GitHub may add: bounds what the parse may cost. */
const MAX_VALUES = 1 + MAX_REPORTED_TOKENS * 9;

const FIELD_LIMITS = { token: 1_000, type: 200, url: 2_048, source: 200 } as const;
/** Report bodies within these limits fit: the route's own body limit. */
export const LEAK_REPORT_BODY_LIMIT = 4 * 1024 * 1024;

export interface LeakReportItem {
  token: string;
  type: string;
  url: string | null;
  source: string | null;
}

function fieldOf(
  item: Record<string, unknown>,
  index: number,
  name: keyof typeof FIELD_LIMITS,
  required: boolean,
  problems: FieldError[],
): string | null {
  const value = item[name];
  const field = `${index}.${name}`;
  if (value === undefined || value === null) {
    if (required) problems.push({ field, message: 'must be a string' });
    return null;
  }
  if (typeof value !== 'string') problems.push({ field, message: 'must be a string' });
  else if (required && value.length === 0) problems.push({ field, message: 'must not be empty' });
  else if (value.length > FIELD_LIMITS[name]) problems.push({ field, message: `must be at most ${FIELD_LIMITS[name]} characters` });
  else return value;
  return null;
}

/** Parses and checks a report's bytes; a 400 names each bad field (`3.token`), or `body`. */
export function parseLeakReport(body: Buffer): LeakReportItem[] {
  const parsed = parseJsonBody(body, { maxDepth: 3, maxValues: MAX_VALUES });
  if (!Array.isArray(parsed)) throw new ValidationFailedError([{ field: 'body', message: 'must be an array' }]);
  if (parsed.length > MAX_REPORTED_TOKENS) {
    throw new ValidationFailedError([{ field: 'body', message: `must hold at most ${MAX_REPORTED_TOKENS} items` }]);
  }
  const problems: FieldError[] = [];
  const items = parsed.map((value: unknown, index): LeakReportItem => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ field: String(index), message: 'must be an object' });
      return { token: '', type: '', url: null, source: null };
    }
    const item = value as Record<string, unknown>;
    return {
      token: fieldOf(item, index, 'token', true, problems) ?? '',
      type: fieldOf(item, index, 'type', true, problems) ?? '',
      url: fieldOf(item, index, 'url', false, problems),
      source: fieldOf(item, index, 'source', false, problems),
    };
  });
  if (problems.length > 0) throw new ValidationFailedError(problems.slice(0, 20));
  return items;
}
