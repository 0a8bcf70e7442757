// docs/secret-scanning.md: the regular expressions an operator registers with GitHub find every key
// and credential the deployment issues, wherever they sit in a text, and nothing that only looks close.
import {
  credentialTokenPattern,
  generateCredentialToken,
  isWellFormedCredentialToken,
} from '../libs/credentials/src/domain/credential-token';
import { generateApiKey, keyPattern, parseApiKey } from '../libs/keys/src/domain/key-format';

/** Every match of `pattern` in `text`, as GitHub's scanner would report them. */
const matchesIn = (pattern: string, text: string): string[] => [...text.matchAll(new RegExp(pattern, 'g'))].map((match) => match[0]);

/** Where a token turns up in the wild: config files, shell lines, JSON, URLs, quoted or at a line's ends. */
const CONTEXTS = [
  (token: string) => token,
  (token: string) => `API_KEY=${token}\n`,
  (token: string) => `export KEYWARD_KEY="${token}"`,
  (token: string) => `{"apiKey":"${token}","other":1}`,
  (token: string) => `curl -H 'Authorization: Bearer ${token}' https://api.example.com`,
  (token: string) => `https://api.example.com/v1?key=${token}&x=1`,
  (token: string) => `line one\n${token}\nline three`,
];

describe.each(['kw', 'acme42'])('secret scanning patterns for KEYWARD_KEY_PREFIX=%s', (prefix) => {
  const keys = keyPattern(prefix);
  const credentials = credentialTokenPattern(prefix);

  it('finds every generated live and test key, and every credential, whole, in each context', () => {
    for (let round = 0; round < 50; round++) {
      for (const key of [generateApiKey(prefix, 'live'), generateApiKey(prefix, 'test')]) {
        for (const context of CONTEXTS) expect(matchesIn(keys, context(key))).toEqual([key]);
        expect(matchesIn(credentials, key)).toEqual([]);
      }
      const credential = generateCredentialToken(prefix);
      for (const context of CONTEXTS) expect(matchesIn(credentials, context(credential))).toEqual([credential]);
      expect(matchesIn(keys, credential)).toEqual([]);
    }
  });

  it('finds two keys on one line as two', () => {
    const [a, b] = [generateApiKey(prefix, 'live'), generateApiKey(prefix, 'test')];
    expect(matchesIn(keys, `${a},${b}`)).toEqual([a, b]);
  });

  it('finds nothing in near misses', () => {
    const key = generateApiKey(prefix, 'live');
    const body = key.slice(`${prefix}_live_`.length);
    const credential = generateCredentialToken(prefix);
    const nearMisses = [
      key.slice(0, -1), // one character short
      `${key}x`, // one character long
      `${key}0`,
      `x${key}`, // glued to a word before it
      `9${key}`,
      `${prefix}_prod_${body}`, // another environment
      `${prefix}_LIVE_${body}`,
      `${prefix.toUpperCase()}_live_${body}`, // the prefix in capitals
      `${prefix}x_live_${body}`, // another prefix
      `${prefix.slice(1)}_live_${body}`,
      `${prefix}-live-${body}`, // other separators
      `${prefix}_live${body}`,
      `${prefix}_live_${body.slice(0, 20)}-${body.slice(20)}`, // a character outside base62
      `${prefix}_live_${body.slice(0, 20)}+${body.slice(21)}`,
      `${prefix}c_${body.slice(0, -1)}`, // a credential one character short
    ];
    for (const text of nearMisses) {
      expect({ text, keys: matchesIn(keys, text), credentials: matchesIn(credentials, text) }).toEqual({ text, keys: [], credentials: [] });
    }
    expect(matchesIn(credentials, `${credential}A`)).toEqual([]);
  });

  it('cannot check the checksum, which the endpoint does: a match with a wrong checksum is no key', () => {
    const key = generateApiKey(prefix, 'live');
    const flipped = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(matchesIn(keys, flipped)).toEqual([flipped]);
    expect(parseApiKey(flipped, prefix)).toBeNull();
    const credential = generateCredentialToken(prefix);
    const flippedCredential = credential.slice(0, -1) + (credential.endsWith('A') ? 'B' : 'A');
    expect(matchesIn(credentials, flippedCredential)).toEqual([flippedCredential]);
    expect(isWellFormedCredentialToken(flippedCredential, prefix)).toBe(false);
  });
});
