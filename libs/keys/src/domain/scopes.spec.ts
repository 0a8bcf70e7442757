import { grantsAll, scopeProblem } from './scopes';

describe('scopes', () => {
  it.each(['billing:read', 'a', 'x.y_z-1:*', '*', 'a'.repeat(64)])('accepts %s', (scope) => {
    expect(scopeProblem(scope)).toBeNull();
  });

  it.each(['', 'Billing', 'with space', 'a'.repeat(65), '*:read', 'bill*ing', 'a**', 'é', 7])('refuses %p', (scope) => {
    expect(scopeProblem(scope)).not.toBeNull();
  });

  it.each([
    [['billing:*'], ['billing:read'], true],
    [['billing:*'], ['billing'], false],
    [['billing*'], ['billing'], true],
    [['*'], ['anything', 'else'], true],
    [['billing:read'], ['billing:read', 'billing:write'], false],
    [['billing:read', 'billing:write'], ['billing:write'], true],
    [[], [], true],
    [[], ['a'], false],
  ])('%j grants %j: %s', (granted, requested, expected) => {
    expect(grantsAll(granted, requested)).toBe(expected);
  });
});
