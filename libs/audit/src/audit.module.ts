import { Module } from '@nestjs/common';
import { AuditAppender } from './audit-appender';
import { AuditExportRepository } from './audit-export.repository';
import { AuditRepository } from './audit.repository';
import { ExportAuditEventsUseCase } from './use-cases/export-audit-events.use-case';
import { ListAuditEventsUseCase } from './use-cases/list-audit-events.use-case';
import { VerifyAuditChainUseCase } from './use-cases/verify-audit-chain.use-case';

@Module({
  providers: [
    AuditRepository,
    AuditExportRepository,
    AuditAppender,
    ListAuditEventsUseCase,
    VerifyAuditChainUseCase,
    ExportAuditEventsUseCase,
  ],
  exports: [AuditAppender, ListAuditEventsUseCase, VerifyAuditChainUseCase, ExportAuditEventsUseCase],
})
export class AuditModule {}
