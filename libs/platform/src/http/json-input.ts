// What every JSON body and query string must be before anything else reads it (docs/input-validation.md):
// UTF-8, nested at most MAX_JSON_DEPTH levels, and free of NUL characters (PostgreSQL cannot store
// U+0000 in text or jsonb). The walk is iterative and linear in the size of the value, so a body
// nested thousands of levels deep costs no more than a flat one of the same size, and it runs
// before the validation pipe, the idempotency hash or anything else that recurses.
import { isUtf8 } from 'node:buffer';
import { MalformedJsonError, ValidationFailedError, type FieldError } from '../errors/domain-error';

/** The deepest a request body may nest, the body itself counting as level 1. */
export const MAX_JSON_DEPTH = 32;
/**
 * The most values (members and items, at any depth) a request body may hold. The largest body of
 * the API holds about 2,300 (a 4 KiB meta, 100 scopes, 100 allowlist entries); the DTO transformer
 * costs about 2 microseconds per value, so this bounds what a body costs before it is refused.
 */
export const MAX_JSON_VALUES = 4096;

export const NUL_MESSAGE = 'must not contain NUL characters (U+0000)';
export const NUL_IN_NAME_MESSAGE = 'must not contain NUL characters (U+0000) in its name';
export const REPEATED_MESSAGE = 'must be given once';

export function depthMessage(maxDepth = MAX_JSON_DEPTH): string {
  return `is nested too deeply (a request body may nest at most ${maxDepth} levels)`;
}

export function valuesMessage(maxValues = MAX_JSON_VALUES): string {
  return `holds too many values (a request body may hold at most ${maxValues})`;
}

export interface JsonInputOptions {
  readonly maxDepth?: number;
  readonly maxValues?: number;
  /**
   * Top-level fields whose string value may hold NUL: the verify `key`, which docs/api.md (Verify) answers
   * 200 MALFORMED whatever string it is (it never reaches a store).
   */
  readonly nulAllowedIn?: ReadonlySet<string>;
}

/** A container met on the walk, with the way back to the body for naming a field. */
interface Frame {
  readonly value: object;
  readonly depth: number;
  readonly parent: Frame | null;
  readonly key: string;
  /** The top-level field it lies in: `body` for the body itself, or anything in a body that is an array. */
  readonly top: string;
}

function pathOf(frame: Frame | null, key?: string): string {
  const segments: string[] = key === undefined ? [] : [key];
  for (let at = frame; at !== null && at.parent !== null; at = at.parent) segments.push(at.key);
  return segments.reverse().join('.');
}

/**
 * The first problem of a parsed JSON value, as a field error, or null. Depth and size are named by
 * the top-level field that holds them (`meta`), or `body` when the body is an array; a NUL by the
 * full path of its string (`meta.note`, `scopes.0`) or of the field whose name holds it.
 */
export function jsonInputProblem(value: unknown, options: JsonInputOptions = {}): FieldError | null {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const maxValues = options.maxValues ?? MAX_JSON_VALUES;
  const nulAllowedIn = options.nulAllowedIn;
  if (typeof value === 'string') return value.includes('\u0000') ? { field: 'body', message: NUL_MESSAGE } : null;
  if (typeof value !== 'object' || value === null) return null;
  const bodyIsArray = Array.isArray(value);
  const stack: Frame[] = [{ value, depth: 1, parent: null, key: '', top: 'body' }];
  /** Values seen so far, by top-level field: the one with the most is named when there are too many. */
  const valuesIn = new Map<string, number>();
  let values = 0;
  const count = (top: string, added: number): FieldError | null => {
    values += added;
    valuesIn.set(top, (valuesIn.get(top) ?? 0) + added);
    if (values <= maxValues) return null;
    const [field] = [...valuesIn].reduce((most, entry) => (entry[1] > most[1] ? entry : most));
    return { field, message: valuesMessage(maxValues) };
  };
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > maxDepth) return { field: frame.top, message: depthMessage(maxDepth) };
    const atBody = frame.parent === null;
    if (Array.isArray(frame.value)) {
      const items = frame.value as unknown[];
      const tooMany = count(frame.top, items.length);
      if (tooMany) return tooMany;
      for (let index = 0; index < items.length; index++) {
        const child = items[index];
        if (typeof child === 'string') {
          if (child.includes('\u0000')) return { field: pathOf(frame, String(index)), message: NUL_MESSAGE };
        } else if (typeof child === 'object' && child !== null) {
          stack.push({ value: child, depth: frame.depth + 1, parent: frame, key: String(index), top: frame.top });
        }
      }
      continue;
    }
    const fields = frame.value as Record<string, unknown>;
    const keys = Object.keys(fields);
    for (const key of keys) {
      if (key.includes('\u0000')) return { field: pathOf(frame, key), message: NUL_IN_NAME_MESSAGE };
      const top = atBody && !bodyIsArray ? key : frame.top;
      const tooMany = count(top, 1);
      if (tooMany) return tooMany;
      const child = fields[key];
      if (typeof child === 'string') {
        if (child.includes('\u0000') && !(atBody && nulAllowedIn?.has(key))) return { field: pathOf(frame, key), message: NUL_MESSAGE };
      } else if (typeof child === 'object' && child !== null) {
        stack.push({ value: child, depth: frame.depth + 1, parent: frame, key, top });
      }
    }
  }
  return null;
}

/**
 * The depth check on the raw text, before parsing: JSON.parse of 30,000 nested arrays costs
 * several times what a flat body of the same size does, and this scan stops at the level past the
 * limit. Brackets inside strings do not count. Names the field as jsonInputProblem does; a text
 * that is not JSON at all is left to the parser, unless it nests too deep before it goes wrong.
 */
export function jsonTextDepthProblem(text: Buffer, maxDepth = MAX_JSON_DEPTH): FieldError | null {
  let depth = 0;
  let inString = false;
  let stringStart = 0;
  let rootIsArray = false;
  /** The last string closed at depth 1: the name of the member being read when depth goes to 2. */
  let topKey: [number, number] | null = null;
  for (let index = 0; index < text.length; index++) {
    const byte = text[index];
    if (inString) {
      if (byte === 0x5c) index++;
      else if (byte === 0x22) {
        inString = false;
        if (depth === 1) topKey = [stringStart, index];
      }
    } else if (byte === 0x22) {
      inString = true;
      stringStart = index + 1;
    } else if (byte === 0x7b || byte === 0x5b) {
      depth++;
      if (depth === 1) rootIsArray = byte === 0x5b;
      if (depth > maxDepth)
        return { field: rootIsArray || topKey === null ? 'body' : decodedKey(text, topKey), message: depthMessage(maxDepth) };
    } else if (byte === 0x7d || byte === 0x5d) {
      depth--;
    }
  }
  return null;
}

function decodedKey(text: Buffer, [start, end]: [number, number]): string {
  try {
    const key: unknown = JSON.parse(`"${text.subarray(start, end).toString('utf8')}"`);
    return typeof key === 'string' ? key : 'body';
  } catch {
    return 'body';
  }
}

/** Throws the 400 for JSON text nested deeper than the limit (see jsonTextDepthProblem). */
export function assertJsonTextDepth(text: Buffer, maxDepth?: number): void {
  const problem = jsonTextDepthProblem(text, maxDepth);
  if (problem) throw new ValidationFailedError([problem]);
}

/** Throws the 400 for a parsed JSON value that jsonInputProblem refuses. */
export function assertJsonInput(value: unknown, options?: JsonInputOptions): void {
  const problem = jsonInputProblem(value, options);
  if (problem) throw new ValidationFailedError([problem]);
}

/** Throws MALFORMED_JSON (400) for bytes that are not UTF-8: JSON text must be (RFC 8259 section 8.1). */
export function assertUtf8(body: Buffer): void {
  if (!isUtf8(body)) throw new MalformedJsonError('The request body is not valid UTF-8.');
}

/**
 * Problems of a parsed query string: a parameter given more than once (the parser makes an array
 * of it), or a name or value with NUL in it. Every offending parameter is named.
 */
export function queryProblems(query: unknown): FieldError[] {
  if (typeof query !== 'object' || query === null) return [];
  const problems: FieldError[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (name.includes('\u0000')) problems.push({ field: name, message: NUL_IN_NAME_MESSAGE });
    else if (Array.isArray(value)) problems.push({ field: name, message: REPEATED_MESSAGE });
    else if (typeof value === 'string' && value.includes('\u0000')) problems.push({ field: name, message: NUL_MESSAGE });
  }
  return problems;
}
