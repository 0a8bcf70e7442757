import { randomBytes } from 'node:crypto';

export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of an unsigned integer, left-padded with '0' to `width` characters. */
export function encodeBase62(value: number, width: number): string {
  let remaining = value;
  let out = '';
  while (remaining > 0) {
    out = BASE62_ALPHABET[remaining % 62] + out;
    remaining = Math.floor(remaining / 62);
  }
  return out.padStart(width, '0');
}

/**
 * `length` base62 characters drawn uniformly from a CSPRNG. Bytes >= 248 are rejected so that
 * every character is equally likely (248 = 4 * 62): a plain modulo would bias the alphabet.
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = randomBytes(length * 2);
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      if (bytes[i] < 248) out += BASE62_ALPHABET[bytes[i] % 62];
    }
  }
  return out;
}
