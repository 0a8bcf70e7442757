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
});
