import { AuditAppender } from '@keyward/audit';
import { TenantTransactions, type ChangeContext } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { Tenant } from '../domain/tenant';
import { TenantsRepository } from '../tenants.repository';

export interface CreateTenantCommand {
  name: string;
  change: ChangeContext;
}

@Injectable()
export class CreateTenantUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly tenants: TenantsRepository,
    private readonly audit: AuditAppender,
  ) {}

  execute(command: CreateTenantCommand): Promise<Tenant> {
    return this.transactions.runAsPlatform(async (tx) => {
      const tenant = await this.tenants.insert(tx, command.name);
      // The first event of the new tenant's own chain.
      await this.audit.append(await tx.forTenant(tenant.id), command.change, {
        action: 'tenant.created',
        target: { type: 'tenant', id: tenant.id },
        details: { name: tenant.name },
      });
      return tenant;
    });
  }
}
