// docs/api.md, Keys and Limits: scopes are 1..64 characters of a-z 0-9 _ . : * -, at most 100 per key; a granted
// scope ending in `*` grants every requested scope beginning with what precedes it; `*` only last.

export const MAX_SCOPES = 100;
const SCOPE_PATTERN = /^[a-z0-9_.:*-]{1,64}$/;

/** Why `scope` is not a valid scope, or null when it is. */
export function scopeProblem(scope: unknown): string | null {
  if (typeof scope !== 'string' || !SCOPE_PATTERN.test(scope)) return 'must be 1 to 64 characters of a-z 0-9 _ . : * -';
  const star = scope.indexOf('*');
  if (star !== -1 && star !== scope.length - 1) return '`*` may stand only last';
  return null;
}

function grantsOne(granted: string, requested: string): boolean {
  return granted.endsWith('*') ? requested.startsWith(granted.slice(0, -1)) : granted === requested;
}

/** True when `requested` is granted by some granted scope. */
export function grantsScope(granted: readonly string[], requested: string): boolean {
  return granted.some((grant) => grantsOne(grant, requested));
}

/** True when every requested scope is granted by some granted scope. */
export function grantsAll(granted: readonly string[], requested: readonly string[]): boolean {
  return requested.every((scope) => grantsScope(granted, scope));
}
