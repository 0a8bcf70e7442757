import { ownTenant } from '../own-tenant';
import {
  ExportAuditEventsUseCase,
  IssueAuditCheckpointUseCase,
  ListAuditCheckpointsUseCase,
  ListAuditEventsUseCase,
  VerifyAuditChainUseCase,
} from '@keyward/audit';
import { SigningKeyRing } from '@keyward/signing';
import { Allow, ApiProblems, CurrentPrincipal, ListQueryDto, type Principal } from '@keyward/platform';
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiTenantRouteProblems } from '../admin-api.openapi';
import type { FastifyReply } from 'fastify';
import { AuditChainVerdict, AuditEventPage } from './audit-event.resource';
import { AuditCheckpointPage, AuditCheckpointResource, JwksResource } from './audit-checkpoint.resource';
import { ExportAuditEventsQueryDto, ListAuditEventsQueryDto, VerifyAuditChainQueryDto } from './dto/audit-query.dto';

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
    private readonly issueAuditCheckpoint: IssueAuditCheckpointUseCase,
    private readonly listAuditCheckpoints: ListAuditCheckpointsUseCase,
    private readonly keyRing: SigningKeyRing,
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
      '`{valid: false, brokenAtSeq}` with the first event that does not verify. With `checkpointSeq` and `checkpointHash` ' +
      '(of a checkpoint kept earlier) it adds `extendsCheckpoint`: true only when the chain holds and its event at ' +
      '`checkpointSeq` has exactly that hash, so a history rewritten after the checkpoint is found even if every hash was recomputed.',
  })
  @ApiOkResponse({ type: AuditChainVerdict, description: 'The verdict' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'checkpointHash', message: 'must be given with checkpointSeq' }] })
  verify(@Query() query: VerifyAuditChainQueryDto, @CurrentPrincipal() principal: Principal): Promise<AuditChainVerdict> {
    const checkpoint =
      query.checkpointSeq !== undefined && query.checkpointHash !== undefined
        ? { seq: query.checkpointSeq, hash: query.checkpointHash }
        : undefined;
    return this.verifyAuditChain.verify(ownTenant(principal), checkpoint);
  }

  @Get('checkpoint')
  @ApiOperation({
    operationId: 'getAuditCheckpoint',
    summary: "A signed checkpoint of your tenant's audit chain",
    description:
      "The chain's head now, `{tenantId, seq, headHash, issuedAt, keyId}`, signed with Ed25519 (`signature`, base64url, over " +
      'the RFC 8785 canonical JSON of those five fields) by the key `keyId` of GET /v1/audit-events/keys. Keep it: a later ' +
      'export, or verifyAuditChain with checkpointSeq and checkpointHash, proves that the chain still extends it.',
  })
  @ApiOkResponse({ type: AuditCheckpointResource, description: 'The signed checkpoint' })
  checkpoint(@CurrentPrincipal() principal: Principal): Promise<AuditCheckpointResource> {
    return this.issueAuditCheckpoint.execute(ownTenant(principal));
  }

  @Get('checkpoints')
  @ApiOperation({
    operationId: 'listAuditCheckpoints',
    summary: "List the checkpoints kept of your tenant's audit chain",
    description:
      'The signed checkpoints the service keeps each hour for a chain that has moved since its last one, in seq order, a page at a time.',
  })
  @ApiOkResponse({ type: AuditCheckpointPage, description: 'A page of checkpoints' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'limit', message: 'must not be greater than 100' }] })
  checkpoints(@Query() query: ListQueryDto, @CurrentPrincipal() principal: Principal): Promise<AuditCheckpointPage> {
    return this.listAuditCheckpoints.execute({ tenantId: ownTenant(principal), limit: query.limit, cursor: query.cursor });
  }

  @Get('keys')
  @ApiOperation({
    operationId: 'getAuditSigningKeys',
    summary: 'The public keys that sign audit checkpoints (JWKS)',
    description:
      'A JSON Web Key Set of Ed25519 keys (`kty` OKP, `crv` Ed25519, `alg` EdDSA), each named by its RFC 7638 thumbprint: ' +
      'the current key and every one it replaced, so that checkpoints signed before a rotation stay verifiable.',
  })
  @ApiOkResponse({ type: JwksResource, description: 'The key set' })
  keys(): Promise<JwksResource> {
    return this.keyRing.jwks('audit');
  }
}
