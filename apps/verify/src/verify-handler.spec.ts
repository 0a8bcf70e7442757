import Ajv from 'ajv';
import { keyOnlyBody } from './verify-handler';
import { VERIFY_REQUEST_SCHEMA } from './verify.schema';

describe('keyOnlyBody (the verify route read without the JSON parser)', () => {
  const validate = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false }).compile(VERIFY_REQUEST_SCHEMA);

  it('reads {"key":"…"} exactly as JSON.parse and the schema would', () => {
    for (const key of ['kw_live_T23nkmiqhSFEQJJ7S0N8CeGfWNVhn6VS3XTRNA', 'kw_test_abc-DEF_123', 'x', '-', 'a'.repeat(512)]) {
      const raw = JSON.stringify({ key });
      expect(keyOnlyBody(raw)).toEqual(JSON.parse(raw));
      expect(validate(keyOnlyBody(raw))).toBe(true);
    }
  });

  it('leaves every other body to the parser and the schema', () => {
    const others = [
      '{"key":"a\\u0041"}', // an escape: JSON.parse decodes it
      '{"key":"a\\"b"}',
      '{"key":"a b"}',
      '{"key":"ключ"}',
      '{"key":""}',
      '{"key": "abc"}',
      ' {"key":"abc"}',
      '{"key":"abc"}\n',
      '{"key":"abc","cost":2}',
      '{"key":"abc","key":"def"}',
      '{"cost":2,"key":"abc"}',
      '{"key":["abc"]}',
      '{"Key":"abc"}',
      '{"key":"abc"',
      `{"key":"${'a'.repeat(513)}"}`,
      '[{"key":"abc"}]',
      '',
    ];
    for (const raw of others) expect(keyOnlyBody(raw)).toBeNull();
  });

  it('never reads a body that is not UTF-8: its bad bytes decode to U+FFFD, which the fast path does not match', () => {
    // So the general path alone checks the bytes (docs/input-validation.md), and the fast path costs nothing more.
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80]]) {
      const bytes = Buffer.concat([Buffer.from('{"key":"kw_live_'), Buffer.from(bad), Buffer.from('abc"}')]);
      expect(keyOnlyBody(bytes.toString('utf8'))).toBeNull();
    }
  });
});
