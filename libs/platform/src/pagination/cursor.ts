import { ValidationFailedError } from '../errors/domain-error';

/** Keyset position in a list ordered by (createdAt, id): stable under inserts, no OFFSET scans. */
export interface CursorPosition {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    // Only what encodeCursor writes: an ISO instant in canonical form and a UUID.
    const date = new Date(typeof createdAt === 'string' ? createdAt : Number.NaN);
    if (typeof id !== 'string' || !UUID.test(id) || Number.isNaN(date.getTime()) || date.toISOString() !== createdAt) {
      throw new Error('bad cursor');
    }
    return { createdAt: date, id };
  } catch {
    throw new ValidationFailedError([{ field: 'cursor', message: 'is not a cursor this API returned' }]);
  }
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Given up to limit+1 rows, the page of `limit` and the cursor after its last row. */
export function toPage<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
