import { AuditAppender } from '@keyward/audit';
import { systemChange, TenantTransactions, type ChangeContext } from '@keyward/platform';
import { PolicyRepository } from '@keyward/policy';
import { WebhookOutbox } from '@keyward/webhooks';
import { Injectable, Logger } from '@nestjs/common';
import { keyStatus, type ApiKey, type KeyStatus } from '../../domain/api-key';
import { KeysRepository } from '../../keys.repository';
import { KeyInvalidation } from '../key-invalidation';
import { goesFurther, idleSince, isUnused, OUTCOME_OF_ACTION, type UnusedKeyOutcome } from './unused-key-policy';
import type { UnusedKeyReportEntry } from './unused-key-report';
import { UnusedKeysRepository, type UnusedKeyCandidate, type UnusedKeyFlag } from './unused-keys.repository';

/** What one run did, in counts (GET /v1/jobs/{jobId} `result`). */
export interface UnusedAuditRunReport {
  /** Tenants audited: one report stored for each. */
  tenants: number;
  /** Keys found unused, in all the reports (a key stays in them while it stays idle). */
  unused: number;
  /** Keys flagged for the first time in their idle period: audit key.flagged_unused, webhook key.unused. */
  flagged: number;
  disabled: number;
  revoked: number;
  /** Keys (or tenants) whose audit failed; each is left untouched and the next run retries it. */
  failed: number;
}

/** What the audit of one key did. */
interface KeyAudit {
  entry: UnusedKeyReportEntry;
  flagged: boolean;
  disabled: boolean;
  revoked: boolean;
}

/**
 * One pass of the unused-key audit (docs/api.md: Policy, Audit, Webhooks). For each tenant whose
 * policy sets unusedKeyDays: every key neither revoked nor expired and idle that long (never used:
 * counted from creation) is reported, and disabled or revoked when unusedKeyAction says so. A key
 * is flagged once per idle period (audit key.flagged_unused, webhook key.unused), however many runs
 * repeat or race; disabling and revoking take the same path as PATCH and revoke (repository, audit
 * key.disabled or key.revoked, webhook key.revoked, verify invalidation after commit). Each key is
 * its own transaction, so a run killed half-way leaves each key either fully handled or untouched.
 * Each tenant's report is stored at the end of its pass (GET /v1/reports/unused-keys).
 */
@Injectable()
export class AuditUnusedKeysUseCase {
  private readonly logger = new Logger(AuditUnusedKeysUseCase.name);

  constructor(
    private readonly transactions: TenantTransactions,
    private readonly unusedKeys: UnusedKeysRepository,
    private readonly keys: KeysRepository,
    private readonly policies: PolicyRepository,
    private readonly audit: AuditAppender,
    private readonly webhooks: WebhookOutbox,
    private readonly invalidation: KeyInvalidation,
  ) {}

  async execute(runId: string): Promise<UnusedAuditRunReport> {
    const change = systemChange('unused-audit', runId);
    const report: UnusedAuditRunReport = { tenants: 0, unused: 0, flagged: 0, disabled: 0, revoked: 0, failed: 0 };
    for (const tenantId of await this.unusedKeys.tenantsToAudit()) {
      try {
        await this.auditTenant(tenantId, change, report);
      } catch (error) {
        report.failed++;
        this.logger.warn({ err: error, tenantId }, 'The unused-key audit of a tenant failed; the next run retries it');
      }
    }
    return report;
  }

  private async auditTenant(tenantId: string, change: ChangeContext, report: UnusedAuditRunReport): Promise<void> {
    const { policy, candidates } = await this.transactions.run(tenantId, async (tx) => {
      const current = await this.policies.find(tx);
      return {
        policy: current,
        candidates: current.unusedKeyDays === null ? [] : await this.unusedKeys.candidates(tx, current.unusedKeyDays),
      };
    });
    if (policy.unusedKeyDays === null) return; // switched off since the scan
    const thresholdDays = policy.unusedKeyDays;
    const wanted = OUTCOME_OF_ACTION[policy.unusedKeyAction];

    const entries: UnusedKeyReportEntry[] = [];
    for (const candidate of candidates) {
      if (candidate.flag && !goesFurther(wanted, candidate.flag.action)) {
        entries.push(entryOf(candidate, candidate.flag));
        continue;
      }
      try {
        const audited = await this.auditKey(tenantId, candidate.id, thresholdDays, wanted, change);
        if (!audited) continue; // used, revoked or expired meanwhile: not unused after all
        entries.push(audited.entry);
        if (audited.flagged) report.flagged++;
        if (audited.disabled) report.disabled++;
        if (audited.revoked) report.revoked++;
      } catch (error) {
        report.failed++;
        this.logger.warn({ err: error, tenantId, keyId: candidate.id }, 'The unused-key audit of a key failed; the next run retries it');
        if (candidate.flag) entries.push(entryOf(candidate, candidate.flag));
      }
    }

    await this.transactions.run(tenantId, (tx) =>
      this.unusedKeys.saveReport(tx, { generatedAt: new Date(), thresholdDays, action: policy.unusedKeyAction, keys: entries }),
    );
    report.tenants++;
    report.unused += entries.length;
  }

  /** Flags one key (once per idle period) and applies the policy's action, in one transaction. */
  private async auditKey(
    tenantId: string,
    keyId: string,
    thresholdDays: number,
    wanted: UnusedKeyOutcome,
    change: ChangeContext,
  ): Promise<KeyAudit | null> {
    const reason = `unused for ${thresholdDays} days or more (tenant policy unusedKeyDays)`;
    const audited = await this.transactions.run(tenantId, async (tx) => {
      // The row lock serialises concurrent runs on this key: the later one sees the flag below.
      const key = await this.keys.findById(tx, keyId, { forUpdate: true });
      const now = new Date();
      if (!key || !isUnused(key, thresholdDays, now)) return null;
      const since = idleSince(key);
      const previous = await this.unusedKeys.findFlag(tx, key.id, since);
      if (previous && !goesFurther(wanted, previous.action))
        return { key, flag: previous, flagged: false, disabled: false, revoked: false };

      const flag: UnusedKeyFlag = previous
        ? { ...previous, action: wanted }
        : await this.unusedKeys.insertFlag(tx, { keyId: key.id, idleSince: since, thresholdDays, action: wanted });
      if (previous) await this.unusedKeys.escalateFlag(tx, key.id, since, wanted);

      let current: ApiKey = key;
      const disabled = wanted === 'disabled' && key.enabled;
      const revoked = wanted === 'revoked';
      if (disabled) current = await this.keys.update(tx, key.id, { enabled: false });
      if (revoked) current = await this.keys.markRevoked(tx, key.id);

      const target = { type: 'key', id: key.id };
      if (!previous) {
        await this.webhooks.enqueue(tx, {
          type: 'key.unused',
          data: {
            keyId: key.id,
            ownerId: key.ownerId,
            name: key.name,
            lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
            createdAt: key.createdAt.toISOString(),
            thresholdDays,
            action: wanted,
          },
        });
      }
      if (revoked)
        await this.webhooks.enqueue(tx, { type: 'key.revoked', data: { keyId: key.id, ownerId: key.ownerId, name: key.name, reason } });
      // The audit events last: the chain's lock is held from the first append until commit.
      if (!previous) {
        await this.audit.append(tx, change, {
          action: 'key.flagged_unused',
          target,
          details: { thresholdDays, idleSince: since.toISOString(), lastUsedAt: key.lastUsedAt?.toISOString() ?? null, action: wanted },
        });
      }
      if (disabled) await this.audit.append(tx, change, { action: 'key.disabled', target, details: { reason } });
      if (revoked) await this.audit.append(tx, change, { action: 'key.revoked', target, details: { reason } });
      return { key: current, flag, flagged: !previous, disabled, revoked };
    });
    if (!audited) return null;
    if (audited.disabled || audited.revoked) await this.invalidation.announce(audited.key);
    return {
      entry: entryOf(audited.key, audited.flag, keyStatus(audited.key, new Date())),
      flagged: audited.flagged,
      disabled: audited.disabled,
      revoked: audited.revoked,
    };
  }
}

function entryOf(
  key: Pick<UnusedKeyCandidate, 'id' | 'name' | 'ownerId' | 'enabled' | 'lastUsedAt' | 'createdAt'>,
  flag: { action: UnusedKeyOutcome; flaggedAt: Date },
  status: KeyStatus = key.enabled ? 'active' : 'disabled',
): UnusedKeyReportEntry {
  return {
    id: key.id,
    name: key.name,
    ownerId: key.ownerId,
    status,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    createdAt: key.createdAt.toISOString(),
    flaggedAt: flag.flaggedAt.toISOString(),
    action: flag.action,
  };
}
