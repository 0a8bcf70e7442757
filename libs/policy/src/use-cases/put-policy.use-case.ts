import { AuditAppender } from '@keyward/audit';
import { TenantTransactions, type ChangeContext } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { TenantPolicy } from '../domain/tenant-policy';
import { PolicyRepository } from '../policy.repository';

/** Replaces the tenant's policy; applies to keys issued, patched or rotated from now on. */
@Injectable()
export class PutPolicyUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly policies: PolicyRepository,
    private readonly audit: AuditAppender,
  ) {}

  execute(command: { tenantId: string; policy: TenantPolicy; change: ChangeContext }): Promise<TenantPolicy> {
    const policy: TenantPolicy = {
      ...command.policy,
      expiryWarningDays: [...new Set(command.policy.expiryWarningDays)].sort((a, b) => b - a),
    };
    return this.transactions.run(command.tenantId, async (tx) => {
      await this.policies.save(tx, policy);
      await this.audit.append(tx, command.change, {
        action: 'policy.updated',
        target: { type: 'policy', id: command.tenantId },
        details: { ...policy },
      });
      return policy;
    });
  }
}
