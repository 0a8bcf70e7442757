import type { UnusedKeyAction } from '@keyward/policy';
import type { KeyStatus } from '../../domain/api-key';
import type { UnusedKeyOutcome } from './unused-key-policy';

/** One unused key in a report, as GET /v1/reports/unused-keys shows it (timestamps in ISO-8601). */
export interface UnusedKeyReportEntry {
  id: string;
  name: string;
  ownerId: string | null;
  /** The key's status when the report was made (after the run's action). */
  status: KeyStatus;
  lastUsedAt: string | null;
  createdAt: string;
  /** When the key was first flagged in its current idle period. */
  flaggedAt: string;
  /** What the policy did about the key in its current idle period. */
  action: UnusedKeyOutcome;
}

/** One run's report for one tenant: every key found unused, the ones this run disabled or revoked included. */
export interface UnusedKeyReport {
  generatedAt: Date;
  thresholdDays: number;
  /** The tenant's unusedKeyAction when the report was made. */
  action: UnusedKeyAction;
  keys: UnusedKeyReportEntry[];
}
