import { generateKeyPairSync } from 'node:crypto';
import { publicKeysOf } from './github-public-keys';

const pemOf = (type: 'ec' | 'rsa', curve?: string): string => {
  const { publicKey } =
    type === 'ec' ? generateKeyPairSync('ec', { namedCurve: curve! }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
};

describe("GitHub's keys document", () => {
  it('keeps the ECDSA P-256 keys by identifier, and skips other curves, other key types and what is not a PEM', () => {
    const p256 = pemOf('ec', 'prime256v1');
    const keys = publicKeysOf({
      public_keys: [
        { key_identifier: 'current', key: p256, is_current: true },
        { key_identifier: 'p384', key: pemOf('ec', 'secp384r1'), is_current: false },
        { key_identifier: 'rsa', key: pemOf('rsa'), is_current: false },
        { key_identifier: 'garbage', key: '-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----', is_current: false },
        { key_identifier: 7, key: p256 },
        { key_identifier: 'no key' },
        null,
      ],
    });
    expect([...keys.keys()]).toEqual(['current']);
    expect(keys.get('current')?.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it.each([
    ['no public_keys', {}],
    ['public_keys not an array', { public_keys: 'x' }],
    ['no usable key', { public_keys: [{ key_identifier: 'rsa', key: pemOf('rsa') }] }],
    ['null', null],
  ])('refuses a document with %s', (_case, document) => {
    expect(() => publicKeysOf(document)).toThrow();
  });
});
