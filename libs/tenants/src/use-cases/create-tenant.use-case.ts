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
  ) {}

  execute(command: CreateTenantCommand): Promise<Tenant> {
    return this.transactions.runAsPlatform((tx) => this.tenants.insert(tx, command.name));
  }
}
