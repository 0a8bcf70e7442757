import { ValidationFailedError, type TenantTx } from '@keyward/platform';
import type { RolesRepository } from '../../roles/roles.repository';

/**
 * Refuses roles the tenant does not have, naming each (`roles[i]`), inside the transaction that gives
 * them to a key: the roles stay locked until it commits, so none can be deleted in between.
 */
export async function assertRolesExist(roles: RolesRepository, tx: TenantTx, names: readonly string[] | undefined): Promise<void> {
  if (names === undefined || names.length === 0) return;
  const existing = await roles.lockExisting(tx, names);
  const missing = names.flatMap((name, index) =>
    existing.has(name) ? [] : [{ field: `roles[${index}]`, message: 'is not a role of this tenant' }],
  );
  if (missing.length > 0) throw new ValidationFailedError(missing);
}
