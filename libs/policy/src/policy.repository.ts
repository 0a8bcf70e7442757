import type { TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { DEFAULT_POLICY, type TenantPolicy } from './domain/tenant-policy';

interface PolicyRow {
  unused_key_days: number | null;
  unused_key_action: TenantPolicy['unusedKeyAction'];
  max_key_lifetime_days: number | null;
  expiry_warning_days: number[];
  leaked_key_action: TenantPolicy['leakedKeyAction'];
}

@Injectable()
export class PolicyRepository {
  async find(tx: TenantTx): Promise<TenantPolicy> {
    const rows: PolicyRow[] = await tx.manager.query(`SELECT * FROM tenant_policies WHERE tenant_id = $1`, [tx.tenantId]);
    const row = rows[0];
    if (!row) return { ...DEFAULT_POLICY, expiryWarningDays: [...DEFAULT_POLICY.expiryWarningDays] };
    return {
      unusedKeyDays: row.unused_key_days,
      unusedKeyAction: row.unused_key_action,
      maxKeyLifetimeDays: row.max_key_lifetime_days,
      expiryWarningDays: row.expiry_warning_days,
      leakedKeyAction: row.leaked_key_action,
    };
  }

  async save(tx: TenantTx, policy: TenantPolicy): Promise<void> {
    await tx.manager.query(
      `INSERT INTO tenant_policies (tenant_id, unused_key_days, unused_key_action, max_key_lifetime_days, expiry_warning_days,
                                     leaked_key_action)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id) DO UPDATE SET unused_key_days = $2, unused_key_action = $3, max_key_lifetime_days = $4,
         expiry_warning_days = $5, leaked_key_action = $6, updated_at = now()`,
      [
        tx.tenantId,
        policy.unusedKeyDays,
        policy.unusedKeyAction,
        policy.maxKeyLifetimeDays,
        policy.expiryWarningDays,
        policy.leakedKeyAction,
      ],
    );
  }
}
