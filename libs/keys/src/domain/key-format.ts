// docs/api.md, Secrets: `<prefix>_<environment>_<32 random base62><6 base62 CRC-32>`. Shared by the
// admin API (generation) and the verify service (MALFORMED is decided here, touching no store).
import { generateSecretToken, hasValidBody, SECRET_TOKEN_BODY_PATTERN } from '@keyward/platform';

export type KeyEnvironment = 'live' | 'test';

export const KEY_ENVIRONMENTS: readonly KeyEnvironment[] = ['live', 'test'];

export function keyHead(prefix: string, environment: KeyEnvironment): string {
  return `${prefix}_${environment}_`;
}

export function generateApiKey(prefix: string, environment: KeyEnvironment): string {
  return generateSecretToken(keyHead(prefix, environment));
}

/** The key's environment when `key` is a well-formed key of this deployment, else null. */
export function parseApiKey(key: string, prefix: string): { environment: KeyEnvironment } | null {
  for (const environment of KEY_ENVIRONMENTS) {
    if (hasValidBody(key, keyHead(prefix, environment))) return { environment };
  }
  return null;
}

/** `start` of the key resource: the head and the first 4 characters of the body, for display. */
export function keyStart(key: string, prefix: string, environment: KeyEnvironment): string {
  const head = keyHead(prefix, environment);
  return key.slice(0, head.length + 4);
}

/**
 * The regular expression (source, without flags) that finds this deployment's keys in any text, for
 * secret scanners (docs/secret-scanning.md). It cannot check the checksum: parseApiKey does.
 */
export function keyPattern(prefix: string): string {
  return `\\b${prefix}_(?:${KEY_ENVIRONMENTS.join('|')})_${SECRET_TOKEN_BODY_PATTERN}\\b`;
}
