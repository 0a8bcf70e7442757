// Keys in one line each, through the public API, and the shapes the keys suites check against.
import { client } from './http-client';

/** A plaintext key of this deployment's default prefix (docs/api.md, Secrets). */
export const KEY_SHAPE = /^kw_(live|test)_[0-9A-Za-z]{38}$/;

/** The same shape anywhere in a text (a log line, a row, a response). */
export const KEY_SHAPE_ANYWHERE = /kw_(live|test)_[0-9A-Za-z]{38}/;

/** The key resource's fields (docs/api.md, Keys), sorted. */
export const KEY_RESOURCE_FIELDS = [
  'createdAt',
  'credits',
  'environment',
  'expiresAt',
  'id',
  'ipAllowlist',
  'lastUsedAt',
  'meta',
  'name',
  'ownerId',
  'previousKeyId',
  'rateLimit',
  'rateLimits',
  'remaining',
  'roles',
  'rotation',
  'scopes',
  'start',
  'status',
  'updatedAt',
];

/** Issues a key as the given tenant admin and answers the create response's body (the plaintext `key` included). */
export async function createKey(adminUrl: string, adminToken: string, body: Record<string, unknown> = {}): Promise<any> {
  const created = await client(adminUrl, adminToken).post('/v1/keys', { name: 'test key', ...body });
  if (created.status !== 201) throw new Error(`key create failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

/** Runs `make` for 0..count-1 with at most `width` at once; answers the results in order. */
export async function inBatches<T>(count: number, width: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += width) {
    const batch = Array.from({ length: Math.min(width, count - start) }, (_, offset) => make(start + offset));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}
