import { AuditAppender } from '@keyward/audit';
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
    private readonly audit: AuditAppender,
  ) {}

  async execute(command: ChangeTenantStatusCommand): Promise<Tenant> {
    const result = await this.transactions.runAsPlatform(async (tx) => {
      const outcome = await this.tenants.setStatus(tx, command.tenantId, command.status);
      if (outcome?.changed) {
        await this.audit.append(await tx.forTenant(outcome.tenant.id), command.change, {
          action: command.status === 'suspended' ? 'tenant.suspended' : 'tenant.resumed',
          target: { type: 'tenant', id: outcome.tenant.id },
        });
      }
      return outcome;
    });
    if (!result) throw new TenantNotFoundError();
    if (result.changed) await this.invalidations.publish({ kind: 'tenant', id: result.tenant.id });
    return result.tenant;
  }
}
