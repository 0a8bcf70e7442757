import { MalformedJsonError, ValidationFailedError } from '../errors/domain-error';
import {
  assertJsonInput,
  assertUtf8,
  jsonInputProblem,
  jsonTextDepthProblem,
  MAX_JSON_DEPTH,
  MAX_JSON_VALUES,
  queryProblems,
} from './json-input';

/** `depth` arrays or objects, one inside the other, around 1 (parsed, as a body would be). */
function nested(depth: number, kind: 'array' | 'object'): unknown {
  const text = kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  return JSON.parse(text);
}

describe('jsonInputProblem', () => {
  it('accepts ordinary bodies and scalars', () => {
    for (const value of [null, 1, 'text', true, {}, [], { name: 'ok', meta: { a: [1, { b: 'c' }] } }, ['a', 'b'], 'Ünïcødé 🔑']) {
      expect(jsonInputProblem(value)).toBeNull();
    }
  });

  describe('depth', () => {
    it(`accepts a body nested ${MAX_JSON_DEPTH} levels, the body counting as one`, () => {
      expect(jsonInputProblem({ meta: nested(MAX_JSON_DEPTH - 1, 'object') })).toBeNull();
      expect(jsonInputProblem(nested(MAX_JSON_DEPTH, 'array'))).toBeNull();
    });

    it.each(['array', 'object'] as const)('names the top-level field holding %ss nested one level more, or 5,000 more', (kind) => {
      for (const depth of [MAX_JSON_DEPTH, 5000]) {
        expect(jsonInputProblem({ name: 'x', meta: nested(depth, kind) })).toEqual({
          field: 'meta',
          message: expect.stringMatching(/nested too deeply/),
        });
      }
    });

    it('names the body when the body itself is an array nested too deep', () => {
      expect(jsonInputProblem(nested(5000, 'array'))).toEqual({ field: 'body', message: expect.stringMatching(/at most 32 levels/) });
      expect(jsonInputProblem([{ a: nested(40, 'object') }])).toEqual({ field: 'body', message: expect.any(String) });
    });

    it('counts an empty container too', () => {
      expect(jsonInputProblem({ meta: JSON.parse(`${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}`) })).toBeNull();
      expect(jsonInputProblem({ meta: JSON.parse(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`) })).toEqual({
        field: 'meta',
        message: expect.any(String),
      });
    });

    it('walks 100,000 levels without recursion, and quickly', () => {
      const deep = nested(100_000, 'array');
      const started = performance.now();
      expect(jsonInputProblem({ meta: deep })?.field).toBe('meta');
      expect(performance.now() - started).toBeLessThan(50);
    });
  });

  describe('size', () => {
    it(`accepts ${MAX_JSON_VALUES} values and names the field holding the most past that`, () => {
      expect(jsonInputProblem({ scopes: Array.from({ length: MAX_JSON_VALUES - 1 }, () => 'a') })).toBeNull();
      const big = { name: 'x', scopes: ['a', 'b'], meta: { list: Array.from({ length: MAX_JSON_VALUES }, () => 0) } };
      expect(jsonInputProblem(big)).toEqual({ field: 'meta', message: expect.stringMatching(/too many values/) });
      expect(jsonInputProblem(Array.from({ length: MAX_JSON_VALUES + 1 }, () => ({})))).toEqual({
        field: 'body',
        message: expect.any(String),
      });
    });

    it('counts the members of objects as well as the items of arrays', () => {
      const wide = Object.fromEntries(Array.from({ length: MAX_JSON_VALUES }, (_, index) => [`k${index}`, index]));
      expect(jsonInputProblem({ meta: wide })).toEqual({ field: 'meta', message: expect.any(String) });
    });
  });

  describe('NUL', () => {
    it.each([
      [{ name: 'a\u0000b' }, 'name', /NUL/],
      [{ meta: { note: 'x\u0000' } }, 'meta.note', /NUL/],
      [{ scopes: ['ok', '\u0000'] }, 'scopes.1', /NUL/],
      [{ meta: { list: [{ deep: ['\u0000'] }] } }, 'meta.list.0.deep.0', /NUL/],
      [{ 'role\u0000': 'admin' }, 'role\u0000', /in its name/],
      [{ meta: { 'a\u0000': 1 } }, 'meta.a\u0000', /in its name/],
      [['\u0000'], '0', /NUL/],
      ['\u0000', 'body', /NUL/],
    ])('names the path of %j', (value, field, message) => {
      expect(jsonInputProblem(value)).toEqual({ field, message: expect.stringMatching(message) });
    });

    it('lets top-level fields named in nulAllowedIn hold it, and nothing below them', () => {
      const options = { nulAllowedIn: new Set(['key']) };
      expect(jsonInputProblem({ key: 'kw_\u0000' }, options)).toBeNull();
      expect(jsonInputProblem({ key: 'x', scopes: ['\u0000'] }, options)?.field).toBe('scopes.0');
      expect(jsonInputProblem({ other: { key: '\u0000' } }, options)?.field).toBe('other.key');
    });
  });

  it('assertJsonInput throws a validation error naming the field', () => {
    expect(() => assertJsonInput({ name: '\u0000' })).toThrow(ValidationFailedError);
    try {
      assertJsonInput({ meta: nested(100, 'object') });
    } catch (error) {
      expect((error as ValidationFailedError).fieldErrors).toEqual([{ field: 'meta', message: expect.any(String) }]);
    }
  });
});

describe('assertUtf8', () => {
  it('accepts UTF-8, multi-byte included, and refuses anything else as MALFORMED_JSON', () => {
    expect(() => assertUtf8(Buffer.from('{"name":"Ünïcødé 鍵 🔑"}'))).not.toThrow();
    for (const bytes of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
      const body = Buffer.concat([Buffer.from('{"name":"'), Buffer.from(bytes), Buffer.from('"}')]);
      expect(() => assertUtf8(body)).toThrow(MalformedJsonError);
      expect(() => assertUtf8(body)).toThrow(/UTF-8/);
    }
  });
});

describe('queryProblems', () => {
  it('names a repeated parameter and one with NUL in its name or value', () => {
    expect(queryProblems({ limit: '5', cursor: 'abc' })).toEqual([]);
    expect(queryProblems({ limit: ['1', '2'] })).toEqual([{ field: 'limit', message: 'must be given once' }]);
    expect(queryProblems({ ownerId: 'a\u0000', status: 'active' })).toEqual([{ field: 'ownerId', message: expect.stringMatching(/NUL/) }]);
    expect(queryProblems({ 'x\u0000': '1' })).toEqual([{ field: 'x\u0000', message: expect.stringMatching(/in its name/) }]);
    expect(queryProblems(undefined)).toEqual([]);
  });
});

describe('jsonTextDepthProblem (before parsing)', () => {
  const text = (value: string) => Buffer.from(value, 'utf8');
  const deepText = (depth: number) => `${'[{"k":'.repeat(depth / 2)}1${'}]'.repeat(depth / 2)}`;

  it('names the same field as the check of the parsed value, for bodies nested too deep', () => {
    for (const body of [
      `{"name":"x","meta":${deepText(40)}}`,
      `{"meta":{"x":${deepText(6000)}},"name":"x"}`,
      `{"a":1,"b\\u0041\\"c":${deepText(40)}}`,
      `[${deepText(40)}]`,
      `{"name":"[[[[{{{{","meta":${deepText(32)}}`,
    ]) {
      const problem = jsonTextDepthProblem(text(body));
      expect(problem).not.toBeNull();
      expect(problem).toEqual(jsonInputProblem(JSON.parse(body)));
    }
  });

  it('accepts what is within the limit, brackets inside strings included', () => {
    for (const body of [
      `{"meta":${deepText(30)}}`,
      `{"name":"${'['.repeat(100)}"}`,
      `{"name":"a\\"${'{'.repeat(100)}"}`,
      `{"na[me":"${'\\\\'.repeat(10)}","meta":${deepText(30)}}`,
      '',
      'not json',
    ]) {
      expect([body.slice(0, 40), jsonTextDepthProblem(text(body))]).toEqual([body.slice(0, 40), null]);
    }
  });

  it('stops at the level past the limit: 30,000 levels cost next to nothing', () => {
    const body = text(`{"meta":${'['.repeat(30_000)}${']'.repeat(30_000)}}`);
    const started = performance.now();
    for (let round = 0; round < 100; round++) expect(jsonTextDepthProblem(body)?.field).toBe('meta');
    expect(performance.now() - started).toBeLessThan(100);
  });
});
