import { TenantTransactions } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { TenantNotFoundError, type Tenant } from '../domain/tenant';
import { TenantsRepository } from '../tenants.repository';

@Injectable()
export class GetTenantUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly tenants: TenantsRepository,
  ) {}

  async execute(tenantId: string): Promise<Tenant> {
    const tenant = await this.transactions.runAsPlatform((tx) => this.tenants.findById(tx, tenantId));
    if (!tenant) throw new TenantNotFoundError();
    return tenant;
  }
}
