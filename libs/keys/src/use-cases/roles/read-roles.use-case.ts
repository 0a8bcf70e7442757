import { TenantTransactions, type Page } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { RoleNotFoundError, type Role } from '../../domain/role';
import { RolesRepository } from '../../roles/roles.repository';

@Injectable()
export class GetRoleUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly roles: RolesRepository,
  ) {}

  async execute(tenantId: string, name: string): Promise<Role> {
    const role = await this.transactions.run(tenantId, (tx) => this.roles.findByName(tx, name));
    if (!role) throw new RoleNotFoundError();
    return role;
  }
}

/** The tenant's roles, oldest first. */
@Injectable()
export class ListRolesUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly roles: RolesRepository,
  ) {}

  execute(query: { tenantId: string; limit: number; cursor?: string }): Promise<Page<Role>> {
    return this.transactions.run(query.tenantId, (tx) => this.roles.list(tx, query.limit, query.cursor));
  }
}

/** The verify service's read of one role's scopes (null: the tenant has no such role). */
@Injectable()
export class LookUpRoleUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly roles: RolesRepository,
  ) {}

  async execute(tenantId: string, name: string): Promise<string[] | null> {
    const scopes = await this.transactions.run(tenantId, (tx) => this.roles.scopesOf(tx, [name]));
    return scopes.get(name) ?? null;
  }
}
