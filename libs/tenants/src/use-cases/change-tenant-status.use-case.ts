import { InvalidationPublisher, TenantTransactions, type ChangeContext, type TenantStatus } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { TenantNotFoundError, type Tenant } from '../domain/tenant';
import { TenantsRepository } from '../tenants.repository';

export interface ChangeTenantStatusCommand {
  tenantId: string;
  status: TenantStatus;
  change: ChangeContext;
}

/**
 * Suspends or resumes a tenant. Idempotent: asking for the status it already has changes nothing.
 * After commit, every verify process is told to drop what it cached of the tenant.
 */
@Injectable()
export class ChangeTenantStatusUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly tenants: TenantsRepository,
    private readonly invalidations: InvalidationPublisher,
  ) {}

  async execute(command: ChangeTenantStatusCommand): Promise<Tenant> {
    const tenant = await this.transactions.runAsPlatform((tx) => this.tenants.setStatus(tx, command.tenantId, command.status));
    if (!tenant) throw new TenantNotFoundError();
    await this.invalidations.publish({ kind: 'tenant', id: tenant.id });
    return tenant;
  }
}
