import { TenantTransactions } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { TenantPolicy } from '../domain/tenant-policy';
import { PolicyRepository } from '../policy.repository';

@Injectable()
export class GetPolicyUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly policies: PolicyRepository,
  ) {}

  execute(tenantId: string): Promise<TenantPolicy> {
    return this.transactions.run(tenantId, (tx) => this.policies.find(tx));
  }
}
