import { DomainError, TenantTransactions } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { UnusedKeyReport } from './unused-key-report';
import { UnusedKeysRepository } from './unused-keys.repository';

/** No audit has run for the tenant yet: its policy never set unusedKeyDays, or the daily run is still to come. */
export class UnusedKeyReportNotFoundError extends DomainError {
  constructor() {
    super('NOT_FOUND', 'No unused-key report yet: the audit runs once the tenant policy sets unusedKeyDays (daily by default).');
  }
}

/** The tenant's latest unused-key report (GET /v1/reports/unused-keys: docs/api.md, Policy). */
@Injectable()
export class GetUnusedKeyReportUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly unusedKeys: UnusedKeysRepository,
  ) {}

  async execute(tenantId: string): Promise<UnusedKeyReport> {
    const report = await this.transactions.run(tenantId, (tx) => this.unusedKeys.latestReport(tx));
    if (!report) throw new UnusedKeyReportNotFoundError();
    return report;
  }
}
