import { crc32 } from 'node:zlib';
import { generateApiKey, keyStart, parseApiKey } from './key-format';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('key format', () => {
  it.each(['live', 'test'] as const)('makes %s keys of the contract shape whose checksum zlib confirms', (environment) => {
    const key = generateApiKey('kw', environment);
    expect(key).toMatch(new RegExp(`^kw_${environment}_[0-9A-Za-z]{38}$`));
    const checksum = [...key.slice(-6)].reduce((value, char) => value * 62 + BASE62.indexOf(char), 0);
    expect(checksum).toBe(crc32(Buffer.from(key.slice(0, -6), 'utf8')));
    expect(parseApiKey(key, 'kw')).toEqual({ environment });
  });

  it('refuses a key with any one character changed', () => {
    const key = generateApiKey('kw', 'live');
    for (let i = 0; i < key.length; i++) {
      const flipped = key.slice(0, i) + (key[i] === 'Z' ? 'Y' : 'Z') + key.slice(i + 1);
      expect(parseApiKey(flipped, 'kw')).toBeNull();
    }
  });

  it('refuses keys of another deployment prefix, the empty string and other shapes', () => {
    expect(parseApiKey(generateApiKey('acme', 'live'), 'kw')).toBeNull();
    expect(parseApiKey(generateApiKey('acme', 'test'), 'acme')).toEqual({ environment: 'test' });
    for (const bad of [
      '',
      'kw_live_',
      'kw_prod_' + 'a'.repeat(38),
      generateApiKey('kw', 'live') + 'x',
      ' ' + generateApiKey('kw', 'live'),
    ]) {
      expect(parseApiKey(bad, 'kw')).toBeNull();
    }
  });

  it('shows the head and four characters of the body as start', () => {
    const key = generateApiKey('kw', 'test');
    expect(keyStart(key, 'kw', 'test')).toBe(key.slice(0, 'kw_test_'.length + 4));
  });
});
