// docs/api.md, Roles: a named set of scopes of one tenant; a key that has the role is granted its scopes too.
import { DomainError, NotFoundError } from '@keyward/platform';

export interface Role {
  id: string;
  tenantId: string;
  /** Named like a scope (scopes.ts): 1 to 64 characters of a-z 0-9 _ . : * -. */
  name: string;
  scopes: string[];
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The most roles a key may have. */
export const MAX_KEY_ROLES = 20;

/** A key's effective scopes: its own, then those of its roles that it does not have yet, in order. */
export function effectiveScopes(own: readonly string[], roleScopes: ReadonlyArray<readonly string[]>): string[] {
  const scopes = new Set(own);
  for (const granted of roleScopes) for (const scope of granted) scopes.add(scope);
  return [...scopes];
}

export class RoleNotFoundError extends NotFoundError {
  constructor() {
    super('The role');
  }
}

export class RoleInUseError extends DomainError {
  constructor(keyCount: number) {
    const keys = keyCount === 1 ? '1 key that is' : `${keyCount} keys that are`;
    super('ROLE_IN_USE', `The role is in use by ${keys} not revoked; take it off first.`);
  }
}
