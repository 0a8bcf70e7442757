import { ownTenant } from '../own-tenant';
import { ExportAuditEventsUseCase, ListAuditEventsUseCase, VerifyAuditChainUseCase } from '@keyward/audit';
import { Allow, ApiProblems, CurrentPrincipal, type Principal } from '@keyward/platform';
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiTenantRouteProblems } from '../admin-api.openapi';
import type { FastifyReply } from 'fastify';
import { AuditChainVerdict, AuditEventPage } from './audit-event.resource';
import { ExportAuditEventsQueryDto, ListAuditEventsQueryDto } from './dto/audit-query.dto';

const optionalDate = (value?: string): Date | undefined => (value ? new Date(value) : undefined);

/** Read-only: the audit log is written by the use cases themselves, never through the API. */
@ApiTags('audit')
@ApiTenantRouteProblems()
@Allow('admin', 'auditor')
@Controller('v1/audit-events')
export class AuditController {
  constructor(
    private readonly listAuditEvents: ListAuditEventsUseCase,
    private readonly exportAuditEvents: ExportAuditEventsUseCase,
    private readonly verifyAuditChain: VerifyAuditChainUseCase,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listAuditEvents',
    summary: "List your tenant's audit events",
    description:
      "The caller's tenant's audit events in chain order (seq ascending), a page at a time, optionally between `from` and " +
      '`to`, of one action, about one key or by one actor.',
  })
  @ApiOkResponse({ type: AuditEventPage, description: 'A page of events' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'action', message: 'must be an action such as key.created' }] })
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
  @ApiOperation({
    operationId: 'exportAuditEvents',
    summary: "Export your tenant's audit events",
    description:
      'Streams every matching event as NDJSON (one event per line, as listAuditEvents returns them, so that the chain can be ' +
      're-checked offline) or as CSV with a header row.',
  })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description: 'Every matching event, streamed: NDJSON (one event per line) or CSV with a header row',
    content: {
      'application/x-ndjson': { schema: { type: 'string', description: 'One AuditEventResource as JSON per line' } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'format', message: 'must be one of the following values: ndjson, csv' }] })
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
  @ApiOperation({
    operationId: 'verifyAuditChain',
    summary: "Verify your tenant's audit chain",
    description:
      "Recomputes every event's hash from its predecessor's: `{valid: true, count, headHash}` when the chain holds, else " +
      '`{valid: false, brokenAtSeq}` with the first event that does not verify.',
  })
  @ApiOkResponse({ type: AuditChainVerdict, description: 'The verdict' })
  verify(@CurrentPrincipal() principal: Principal): Promise<AuditChainVerdict> {
    return this.verifyAuditChain.verify(ownTenant(principal));
  }
}
