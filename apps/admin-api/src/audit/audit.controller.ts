import { ownTenant } from '../own-tenant';
import { ExportAuditEventsUseCase, ListAuditEventsUseCase, VerifyAuditChainUseCase } from '@keyward/audit';
import { Allow, ApiProblems, CurrentPrincipal, type Principal } from '@keyward/platform';
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuditChainVerdict, AuditEventPage } from './audit-event.resource';
import { ExportAuditEventsQueryDto, ListAuditEventsQueryDto } from './dto/audit-query.dto';

const optionalDate = (value?: string): Date | undefined => (value ? new Date(value) : undefined);

/** Read-only: the audit log is written by the use cases themselves, never through the API. */
@ApiTags('audit (tenant admin, auditor)')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 429)
@Allow('admin', 'auditor')
@Controller('v1/audit-events')
export class AuditController {
  constructor(
    private readonly listAuditEvents: ListAuditEventsUseCase,
    private readonly exportAuditEvents: ExportAuditEventsUseCase,
    private readonly verifyAuditChain: VerifyAuditChainUseCase,
  ) {}

  @Get()
  @ApiOkResponse({ type: AuditEventPage })
  list(@Query() query: ListAuditEventsQueryDto, @CurrentPrincipal() principal: Principal): Promise<AuditEventPage> {
    return this.listAuditEvents.execute({
      tenantId: ownTenant(principal),
      limit: query.limit,
      cursor: query.cursor,
      from: optionalDate(query.from),
      to: optionalDate(query.to),
      action: query.action,
      keyId: query.keyId,
      actorId: query.actorId,
    });
  }

  @Get('export')
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({ description: 'Every matching event, streamed: NDJSON (one event per line) or CSV with a header row' })
  export(@Query() query: ExportAuditEventsQueryDto, @CurrentPrincipal() principal: Principal, @Res() reply: FastifyReply): void {
    const csv = query.format === 'csv';
    const stream = this.exportAuditEvents.execute(ownTenant(principal), query.format, {
      from: optionalDate(query.from),
      to: optionalDate(query.to),
    });
    reply
      .type(csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-events.${csv ? 'csv' : 'ndjson'}"`)
      .send(stream);
  }

  @Get('verify')
  @ApiOkResponse({ type: AuditChainVerdict, description: '{valid: true, count, headHash} or {valid: false, brokenAtSeq}' })
  verify(@CurrentPrincipal() principal: Principal): Promise<AuditChainVerdict> {
    return this.verifyAuditChain.verify(ownTenant(principal));
  }
}
