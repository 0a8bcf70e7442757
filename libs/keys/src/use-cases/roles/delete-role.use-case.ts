import { AuditAppender } from '@keyward/audit';
import { TenantTransactions, type ChangeContext } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { RoleInUseError, RoleNotFoundError } from '../../domain/role';
import { RolesRepository } from '../../roles/roles.repository';
import { RoleInvalidation } from './role-invalidation';

export interface DeleteRoleCommand {
  tenantId: string;
  change: ChangeContext;
  name: string;
}

/**
 * Deletes a role no key uses (revoked keys aside: they never verify again). The role's row lock
 * serialises the deletion with keys being given the role (see RolesRepository.lockExisting).
 */
@Injectable()
export class DeleteRoleUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly roles: RolesRepository,
    private readonly audit: AuditAppender,
    private readonly invalidation: RoleInvalidation,
  ) {}

  async execute(command: DeleteRoleCommand): Promise<void> {
    await this.transactions.run(command.tenantId, async (tx) => {
      const role = await this.roles.findByName(tx, command.name, 'FOR UPDATE');
      if (!role) throw new RoleNotFoundError();
      const keyCount = await this.roles.countKeysWith(tx, role.name);
      if (keyCount > 0) throw new RoleInUseError(keyCount);
      await this.roles.delete(tx, role.name);
      await this.audit.append(tx, command.change, {
        action: 'role.deleted',
        target: { type: 'role', id: role.name },
        details: { scopes: role.scopes, description: role.description },
      });
    });
    await this.invalidation.announce(command.tenantId, command.name);
  }
}
