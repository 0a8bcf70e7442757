import fc from 'fast-check';
import {
  MAX_SCOPE_QUERY_DEPTH,
  ScopeQueryCache,
  ScopeQueryError,
  parseScopeQuery,
  satisfiesScopeQuery,
  type ScopeQuery,
} from './scope-query';

function errorOf(text: string): ScopeQueryError {
  try {
    parseScopeQuery(text);
  } catch (error) {
    if (error instanceof ScopeQueryError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(text)} parsed`);
}

describe('parseScopeQuery', () => {
  it('binds AND tighter than OR, and parentheses tighter than both', () => {
    expect(parseScopeQuery('a OR b AND c')).toEqual({ or: [{ scope: 'a' }, { and: [{ scope: 'b' }, { scope: 'c' }] }] });
    expect(parseScopeQuery('(a OR b) AND c')).toEqual({ and: [{ or: [{ scope: 'a' }, { scope: 'b' }] }, { scope: 'c' }] });
    expect(parseScopeQuery('billing:read AND (orders:write OR orders:admin)')).toEqual({
      and: [{ scope: 'billing:read' }, { or: [{ scope: 'orders:write' }, { scope: 'orders:admin' }] }],
    });
    expect(parseScopeQuery('  ((reports:*))\n')).toEqual({ scope: 'reports:*' });
    expect(parseScopeQuery('a AND b AND c')).toEqual({ and: [{ scope: 'a' }, { scope: 'b' }, { scope: 'c' }] });
  });

  it.each([
    ['', 0, 'expected a scope or `(`, found the end of the query'],
    ['a AND', 5, 'expected a scope or `(`, found the end of the query'],
    ['a b', 2, 'expected `AND`, `OR` or the end of the query, found scope `b`'],
    ['(a OR b', 7, 'expected `)`, `AND` or `OR`, found the end of the query'],
    ['a)', 1, 'expected `AND`, `OR` or the end of the query, found `)`'],
    ['a and b', 2, 'expected `AND`, `OR` or the end of the query, found scope `and`'], // operators are upper case
    ['a AND Billing', 6, '`Billing` is not a scope: must be 1 to 64 characters of a-z 0-9 _ . : * -'],
    ['a OR *b', 5, '`*b` is not a scope: `*` may stand only last'],
    ['a && b', 2, 'unexpected character "&"'],
    ['OR a', 0, 'expected a scope or `(`, found `OR`'],
    ['()', 1, 'expected a scope or `(`, found `)`'],
  ])('refuses %j at character %d: %s', (text, position, reason) => {
    const error = errorOf(text);
    expect({ position: error.position, reason: error.reason }).toEqual({ position, reason });
    expect(error.message).toBe(`${reason} at character ${position + 1}`);
  });

  it('refuses more than 1,000 characters, more than 100 scopes, and nesting past its bound', () => {
    expect(errorOf(`a${' '.repeat(1_000)}`).reason).toBe('longer than 1000 characters');
    expect(parseScopeQuery(Array.from({ length: 100 }, (_, i) => `s${i}`).join(' OR '))).toHaveProperty('or');
    const tooMany = Array.from({ length: 101 }, (_, i) => `s${i}`).join(' OR ');
    expect(errorOf(tooMany)).toMatchObject({ reason: 'more than 100 scopes', position: tooMany.lastIndexOf('s100') });
    const deep = (n: number) => `${'('.repeat(n)}a${')'.repeat(n)}`;
    expect(parseScopeQuery(deep(MAX_SCOPE_QUERY_DEPTH))).toEqual({ scope: 'a' });
    expect(errorOf(deep(MAX_SCOPE_QUERY_DEPTH + 1))).toMatchObject({ position: MAX_SCOPE_QUERY_DEPTH });
    // Far deeper than the stack could take, refused at its bound all the same.
    expect(errorOf(deep(499)).reason).toBe(`parentheses nested deeper than ${MAX_SCOPE_QUERY_DEPTH}`);
  });
});

describe('satisfiesScopeQuery', () => {
  const satisfies = (text: string, granted: string[]) => satisfiesScopeQuery(parseScopeQuery(text), granted);

  it('applies AND, OR and the wildcard grants', () => {
    const query = 'billing:read AND (orders:write OR orders:admin)';
    expect(satisfies(query, ['billing:read', 'orders:admin'])).toBe(true);
    expect(satisfies(query, ['billing:*', 'orders:write'])).toBe(true);
    expect(satisfies(query, ['billing:read'])).toBe(false);
    expect(satisfies(query, ['orders:*'])).toBe(false);
    expect(satisfies(query, ['*'])).toBe(true);
    expect(satisfies('a OR b AND c', ['a'])).toBe(true);
    expect(satisfies('(a OR b) AND c', ['a'])).toBe(false);
    expect(satisfies('billing:*', ['billing:read'])).toBe(false); // a requested `*` is a name, not a wildcard
    expect(satisfies('billing:*', ['billing:*'])).toBe(true);
  });
});

describe('ScopeQueryCache', () => {
  it('parses each distinct query once, errors included, and stays bounded', () => {
    const cache = new ScopeQueryCache(2);
    const first = cache.get('a AND b');
    expect(cache.get('a AND b')).toBe(first);
    expect(() => cache.get('a AND')).toThrow(ScopeQueryError);
    expect(() => cache.get('a AND')).toThrow('expected a scope or `(`, found the end of the query at character 6');
    cache.get('c');
    expect(cache.size).toBe(2);
    expect(cache.get('a AND b')).not.toBe(first); // evicted, parsed again
  });
});

// The property tests: the parser and evaluator against a straightforward reference that shares no code
// with them. The reference turns every scope into true or false by the grant rule written out again,
// then reduces the text: the innermost parentheses first, each flat run of values as an OR of ANDs.
describe('scope queries against a reference (property)', () => {
  const SCOPES = ['a', 'b', 'c:read', 'c:write', 'c:*', 'd.e', 'x-y_z'];
  const GRANTS = [...SCOPES, 'c*', '*', 'd*'];

  function referenceGrants(granted: string[], scope: string): boolean {
    for (const grant of granted) {
      if (grant === scope) return true;
      if (grant.endsWith('*') && scope.slice(0, grant.length - 1) === grant.slice(0, -1)) return true;
    }
    return false;
  }

  type Item = boolean | 'AND' | 'OR' | '(' | ')';

  /** A flat run `v op v op ... v` as OR of ANDs, or undefined when it is not such a run. */
  function reduceFlat(items: Item[]): boolean | undefined {
    if (items.length % 2 === 0) return undefined;
    let result = false;
    let product = true;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (i % 2 === 0) {
        if (typeof item !== 'boolean') return undefined;
        product = product && item;
      } else if (item === 'OR') {
        result = result || product;
        product = true;
      } else if (item !== 'AND') return undefined;
    }
    return result || product;
  }

  /** The query's value for the grants, or 'invalid' when it is not a well-formed query. */
  function reference(words: string[], granted: string[]): boolean | 'invalid' {
    let items: Item[] = words.map((word) =>
      word === 'AND' || word === 'OR' || word === '(' || word === ')' ? word : referenceGrants(granted, word),
    );
    for (;;) {
      const close = items.indexOf(')');
      if (close === -1) break;
      const open = items.lastIndexOf('(', close);
      if (open === -1) return 'invalid';
      const value = reduceFlat(items.slice(open + 1, close));
      if (value === undefined) return 'invalid';
      items = [...items.slice(0, open), value, ...items.slice(close + 1)];
    }
    if (items.includes('(')) return 'invalid';
    return reduceFlat(items) ?? 'invalid';
  }

  function parsedValue(text: string, granted: string[]): boolean | 'invalid' {
    let query: ScopeQuery;
    try {
      query = parseScopeQuery(text);
    } catch (error) {
      if (error instanceof ScopeQueryError) return 'invalid';
      throw error;
    }
    return satisfiesScopeQuery(query, granted);
  }

  const grants = fc.subarray(GRANTS);
  const scope = fc.constantFrom(...SCOPES);

  /** Well-formed queries as words, with parentheses where needed and, at random, where not. */
  const wellFormed: fc.Arbitrary<string[]> = fc.letrec<{ expr: string[] }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scope.map((name) => [name]),
      fc.tuple(tie('expr'), fc.constantFrom('AND', 'OR'), tie('expr'), fc.boolean()).map(([left, op, right, wrap]) => {
        const words = [...left, op, ...right];
        return wrap ? ['(', ...words, ')'] : words;
      }),
    ),
  })).expr;

  it('agrees with the reference on well-formed queries', () => {
    fc.assert(
      fc.property(wellFormed, grants, (words, granted) => {
        const expected = reference(words, granted);
        expect(expected).not.toBe('invalid');
        expect(parsedValue(words.join(' '), granted)).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('agrees with the reference on any sequence of words: refuses exactly the malformed ones', () => {
    const word = fc.oneof(scope, fc.constantFrom('AND', 'OR', '(', ')'));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 14 }), grants, (words, granted) => {
        expect(parsedValue(words.join(' '), granted)).toBe(reference(words, granted));
      }),
      { numRuns: 5_000 },
    );
  });

  it('refuses text with any character outside the grammar, never throwing anything but its own error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const outside = /[^a-zA-Z0-9_.:*\-()\s]/.test(text);
        try {
          parseScopeQuery(text);
          expect(outside).toBe(false);
        } catch (error) {
          expect(error).toBeInstanceOf(ScopeQueryError);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
