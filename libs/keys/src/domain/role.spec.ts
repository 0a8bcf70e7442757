import { effectiveScopes } from './role';

describe('effectiveScopes', () => {
  it("is the key's own scopes, then its roles' in order, each once", () => {
    expect(effectiveScopes(['a', 'b'], [['b', 'c'], ['c', 'd:*'], []])).toEqual(['a', 'b', 'c', 'd:*']);
    expect(effectiveScopes([], [])).toEqual([]);
  });
});
