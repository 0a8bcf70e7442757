import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA-256 with the deployment's pepper (docs/api.md, Secrets). Keys and tokens carry over 190
 * bits of entropy, so a keyed fast hash is enough; a database dump alone cannot be brute-forced.
 */
export class KeyedHasher {
  constructor(private readonly pepper: Buffer) {}

  hash(secret: string): Buffer {
    return createHmac('sha256', this.pepper).update(secret, 'utf8').digest();
  }

  /** Constant-time comparison of a presented secret against a stored keyed hash. */
  matches(secret: string, storedHash: Buffer): boolean {
    const presented = this.hash(secret);
    return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
  }
}
