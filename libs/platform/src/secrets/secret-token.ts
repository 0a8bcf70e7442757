// The shape shared by API keys and tenant credentials (docs/api.md, Secrets): a prefix, 32 random
// base62 characters and a 6-character base62 CRC-32 of everything before the checksum.
import { crc32 } from 'node:zlib';
import { encodeBase62, randomBase62 } from './base62';

export const RANDOM_PART_LENGTH = 32;
export const CHECKSUM_LENGTH = 6;
const BODY_PATTERN = /^[0-9A-Za-z]{38}$/;

/** The body as a regular expression's source: 32 random and 6 checksum characters, all base62. */
export const SECRET_TOKEN_BODY_PATTERN = `[0-9A-Za-z]{${RANDOM_PART_LENGTH + CHECKSUM_LENGTH}}`;

export function checksumOf(textBeforeChecksum: string): string {
  return encodeBase62(crc32(Buffer.from(textBeforeChecksum, 'utf8')), CHECKSUM_LENGTH);
}

/** `<head><32 random base62><6 checksum>`, where `head` is e.g. `kw_live_` or `kwc_`. */
export function generateSecretToken(head: string): string {
  const withoutChecksum = head + randomBase62(RANDOM_PART_LENGTH);
  return withoutChecksum + checksumOf(withoutChecksum);
}

/** True when `token` is `head` followed by a well-formed body whose checksum holds. */
export function hasValidBody(token: string, head: string): boolean {
  if (!token.startsWith(head)) return false;
  const body = token.slice(head.length);
  if (!BODY_PATTERN.test(body)) return false;
  const splitAt = token.length - CHECKSUM_LENGTH;
  return checksumOf(token.slice(0, splitAt)) === token.slice(splitAt);
}
