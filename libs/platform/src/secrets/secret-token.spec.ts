import { crc32 } from 'node:zlib';
import { BASE62_ALPHABET } from './base62';
import { checksumOf, generateSecretToken, hasValidBody } from './secret-token';

function decodeBase62(text: string): number {
  return [...text].reduce((value, char) => value * 62 + BASE62_ALPHABET.indexOf(char), 0);
}

describe('secret tokens', () => {
  it('are the head, 32 base62 characters and a 6-character checksum', () => {
    const token = generateSecretToken('kwc_');
    expect(token).toMatch(/^kwc_[0-9A-Za-z]{38}$/);
    expect(hasValidBody(token, 'kwc_')).toBe(true);
  });

  it('carry the zlib CRC-32 of everything before the checksum, in base62', () => {
    const token = generateSecretToken('kw_live_');
    const body = token.slice(0, -6);
    expect(decodeBase62(token.slice(-6))).toBe(crc32(Buffer.from(body, 'utf8')));
    expect(checksumOf(body)).toBe(token.slice(-6));
  });

  it('fail the check when any one character is changed', () => {
    const token = generateSecretToken('kwc_');
    for (let i = 4; i < token.length; i++) {
      const replacement = token[i] === 'a' ? 'b' : 'a';
      expect(hasValidBody(token.slice(0, i) + replacement + token.slice(i + 1), 'kwc_')).toBe(false);
    }
  });

  it('are refused with another head, length or alphabet', () => {
    const token = generateSecretToken('kwc_');
    expect(hasValidBody(token, 'xyc_')).toBe(false);
    expect(hasValidBody(token.slice(0, -1), 'kwc_')).toBe(false);
    expect(hasValidBody(`${token.slice(0, 10)}-${token.slice(11)}`, 'kwc_')).toBe(false);
    expect(hasValidBody('', 'kwc_')).toBe(false);
  });

  it('draw distinct random parts', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => generateSecretToken('kwc_')));
    expect(seen.size).toBe(1000);
  });
});
