// The Idempotency-Key of a verification (docs/api.md, Retries of a verification), on /v1/verify and
// /v1/forward-auth alike.
import { ValidationFailedError } from '@keyward/platform';
import { hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { VerifyRetry } from './verify.service';

const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

/** A retried verification's Idempotency-Key, with a hash of what it asked (`asked`: its body, or what a gateway's request asks). */
export function retryOf(request: IncomingMessage, asked: string): VerifyRetry | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))
    throw new ValidationFailedError([{ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }]);
  return { key, requestHash: hash('sha256', asked, 'base64url') };
}
