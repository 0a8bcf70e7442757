// The keys of signed principals (docs/gateways.md, Signed principals): how long a token lives, how
// long a replaced key stays published, and the rotation that tells every verify process at once.
import { InvalidationPublisher } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { SigningKeyRing } from './signing-key-ring';

/** A principal token's lifetime: `exp` is `iat` plus this. */
export const PRINCIPAL_TOKEN_SECONDS = 60;

/**
 * How often a verify process rereads the current principal key, should the announcement of a
 * rotation have been missed (a Redis outage): the longest a process signs with a replaced key.
 */
export const PRINCIPAL_KEY_RELOAD_SECONDS = 10;

/**
 * How long a replaced principal key stays in the JWKS: the last token a late process signs with it
 * (PRINCIPAL_KEY_RELOAD_SECONDS after the rotation) lives PRINCIPAL_TOKEN_SECONDS, and a minute of
 * margin covers clocks and the JWKS caches of the services that check them.
 */
export const PRINCIPAL_KEY_PUBLISHED_AFTER_REPLACEMENT_SECONDS = PRINCIPAL_KEY_RELOAD_SECONDS + PRINCIPAL_TOKEN_SECONDS + 60;

export interface PrincipalKeyRotationResult {
  /** The kid that signs from now on; null when there is no principal key (the deployment never signed one). */
  keyId: string | null;
  /** False when the current key was younger than asked and stays, or when there is none. */
  rotated: boolean;
}

@Injectable()
export class PrincipalKeyRotation {
  constructor(
    private readonly keyRing: SigningKeyRing,
    private readonly publisher: InvalidationPublisher,
  ) {}

  /**
   * Replaces the principal signing key now (making the first one if there is none) and announces it:
   * every verify process signs with the new key within a second, and rereads it within
   * PRINCIPAL_KEY_RELOAD_SECONDS should the announcement be lost.
   */
  async rotate(): Promise<{ keyId: string }> {
    const keyId = await this.keyRing.rotate('principal', { publishRetiredForSeconds: PRINCIPAL_KEY_PUBLISHED_AFTER_REPLACEMENT_SECONDS });
    await this.announce();
    return { keyId };
  }

  /**
   * The worker's schedule: replaces the key once it is `seconds` old, announced as by rotate; a
   * deployment that has no principal key (it never signed one) gets none.
   */
  async rotateIfOlderThan(seconds: number): Promise<PrincipalKeyRotationResult> {
    const before = (await this.keyRing.jwks('principal')).keys.map((key) => key.kid);
    if (before.length === 0) return { keyId: null, rotated: false };
    const keyId = await this.keyRing.rotate('principal', {
      ifOlderThanSeconds: seconds,
      publishRetiredForSeconds: PRINCIPAL_KEY_PUBLISHED_AFTER_REPLACEMENT_SECONDS,
    });
    const rotated = !before.includes(keyId);
    if (rotated) await this.announce();
    return { keyId, rotated };
  }

  private announce(): Promise<void> {
    return this.publisher.publish({ kind: 'signing-key', purpose: 'principal' });
  }
}
