import { AuditAppender } from '@keyward/audit';
import { TenantTransactions, ValidationFailedError, type ChangeContext } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { Role } from '../../domain/role';
import { scopeProblem } from '../../domain/scopes';
import { RolesRepository } from '../../roles/roles.repository';
import { RoleInvalidation } from './role-invalidation';

export interface PutRoleCommand {
  tenantId: string;
  change: ChangeContext;
  name: string;
  scopes: string[];
  description?: string;
}

/** PUT: creates the role or replaces it; every key that has it takes the new scopes within a second. */
@Injectable()
export class PutRoleUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly roles: RolesRepository,
    private readonly audit: AuditAppender,
    private readonly invalidation: RoleInvalidation,
  ) {}

  async execute(command: PutRoleCommand): Promise<{ role: Role; created: boolean }> {
    const problem = scopeProblem(command.name);
    if (problem !== null) throw new ValidationFailedError([{ field: 'name', message: problem }]);
    const result = await this.transactions.run(command.tenantId, async (tx) => {
      const put = await this.roles.upsert(tx, { name: command.name, scopes: command.scopes, description: command.description ?? null });
      await this.audit.append(tx, command.change, {
        action: 'role.updated',
        target: { type: 'role', id: put.role.name },
        details: { created: put.created, scopes: put.role.scopes, description: put.role.description },
      });
      return put;
    });
    await this.invalidation.announce(command.tenantId, result.role.name);
    return result;
  }
}
