import type { TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { DEFAULT_POLICY, type TenantPolicy } from './domain/tenant-policy';

interface PolicyRow {
  unused_key_days: number | null;
  unused_key_action: TenantPolicy['unusedKeyAction'];
  max_key_lifetime_days: number | null;
  expiry_warning_days: number[];
  leaked_key_action: TenantPolicy['leakedKeyAction'];
  credits_low_percent: number;
  limit_near_percent: number;
  spike_factor: number;
  spike_minimum: number;
  new_source_signals: boolean;
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
      creditsLowPercent: row.credits_low_percent,
      limitNearPercent: row.limit_near_percent,
      spikeFactor: row.spike_factor,
      spikeMinimum: row.spike_minimum,
      newSourceSignals: row.new_source_signals,
    };
  }

  async save(tx: TenantTx, policy: TenantPolicy): Promise<void> {
    await tx.manager.query(
      `INSERT INTO tenant_policies (tenant_id, unused_key_days, unused_key_action, max_key_lifetime_days, expiry_warning_days,
                                     leaked_key_action, credits_low_percent, limit_near_percent, spike_factor, spike_minimum,
                                     new_source_signals)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (tenant_id) DO UPDATE SET unused_key_days = $2, unused_key_action = $3, max_key_lifetime_days = $4,
         expiry_warning_days = $5, leaked_key_action = $6, credits_low_percent = $7, limit_near_percent = $8,
         spike_factor = $9, spike_minimum = $10, new_source_signals = $11, updated_at = now()`,
      [
        tx.tenantId,
        policy.unusedKeyDays,
        policy.unusedKeyAction,
        policy.maxKeyLifetimeDays,
        policy.expiryWarningDays,
        policy.leakedKeyAction,
        policy.creditsLowPercent,
        policy.limitNearPercent,
        policy.spikeFactor,
        policy.spikeMinimum,
        policy.newSourceSignals,
      ],
    );
  }
}
