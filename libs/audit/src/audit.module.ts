import { SigningModule } from '@keyward/signing';
import { Module } from '@nestjs/common';
import { AuditAppender } from './audit-appender';
import { AuditCheckpointsRepository } from './audit-checkpoints.repository';
import { AuditExportRepository } from './audit-export.repository';
import { AuditRepository } from './audit.repository';
import { ExportAuditEventsUseCase } from './use-cases/export-audit-events.use-case';
import { IssueAuditCheckpointUseCase } from './use-cases/issue-audit-checkpoint.use-case';
import { ListAuditCheckpointsUseCase } from './use-cases/list-audit-checkpoints.use-case';
import { ListAuditEventsUseCase } from './use-cases/list-audit-events.use-case';
import { RecordAuditCheckpointsUseCase } from './use-cases/record-audit-checkpoints.use-case';
import { VerifyAuditChainUseCase } from './use-cases/verify-audit-chain.use-case';

const USE_CASES = [
  ListAuditEventsUseCase,
  VerifyAuditChainUseCase,
  ExportAuditEventsUseCase,
  IssueAuditCheckpointUseCase,
  RecordAuditCheckpointsUseCase,
  ListAuditCheckpointsUseCase,
];

@Module({
  imports: [SigningModule],
  providers: [AuditRepository, AuditExportRepository, AuditCheckpointsRepository, AuditAppender, ...USE_CASES],
  exports: [AuditAppender, ...USE_CASES, SigningModule],
})
export class AuditModule {}
