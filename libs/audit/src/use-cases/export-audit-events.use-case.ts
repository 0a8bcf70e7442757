import { TenantTransactions } from '@keyward/platform';
import { Injectable, Logger } from '@nestjs/common';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AuditExportRepository, type ExportFormat, type ExportRange } from '../audit-export.repository';

/**
 * Streams every matching event of a tenant as NDJSON or CSV. The stream is returned at once; the
 * tenant transaction that feeds it stays open until it has been read to the end (or torn down).
 */
@Injectable()
export class ExportAuditEventsUseCase {
  private readonly logger = new Logger(ExportAuditEventsUseCase.name);

  constructor(
    private readonly transactions: TenantTransactions,
    private readonly exports: AuditExportRepository,
  ) {}

  execute(tenantId: string, format: ExportFormat, range: ExportRange): Readable {
    const output = new PassThrough();
    this.transactions
      .run(tenantId, async (tx) => pipeline(await this.exports.copyOut(tx, format, range), output))
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'Audit export ended early');
        output.destroy(error as Error);
      });
    return output;
  }
}
