import { TenantTransactions, type Page } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { Tenant } from '../domain/tenant';
import { TenantsRepository } from '../tenants.repository';

@Injectable()
export class ListTenantsUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly tenants: TenantsRepository,
  ) {}

  execute(query: { limit: number; cursor?: string }): Promise<Page<Tenant>> {
    return this.transactions.runAsPlatform((tx) => this.tenants.list(tx, query.limit, query.cursor));
  }
}
