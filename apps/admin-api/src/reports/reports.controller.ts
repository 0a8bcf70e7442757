import { GetUnusedKeyReportUseCase } from '@keyward/keys';
import { Allow, ApiProblems, CurrentPrincipal, type Principal } from '@keyward/platform';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiTenantRouteProblems } from '../admin-api.openapi';
import { ownTenant } from '../own-tenant';
import { toUnusedKeyReportResource, UnusedKeyReportResource } from './unused-key-report.resource';

/** Read-only: reports are made by the worker's jobs. */
@ApiTags('reports')
@ApiTenantRouteProblems()
@Allow('admin', 'auditor')
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly getUnusedKeyReport: GetUnusedKeyReportUseCase) {}

  @Get('unused-keys')
  @ApiOperation({
    operationId: 'getUnusedKeyReport',
    summary: 'Get the latest unused-key report',
    description:
      "The caller's tenant's latest unused-key audit: the keys idle for the policy's unusedKeyDays or more, and what the policy " +
      'did about each. The audit runs daily once the policy sets unusedKeyDays (the platform operator may also run it now).',
  })
  @ApiOkResponse({ type: UnusedKeyReportResource, description: 'The latest report' })
  @ApiProblems({
    code: 'NOT_FOUND',
    when: 'No audit has run yet: the policy sets no unusedKeyDays, or its first run is still to come.',
    detail: 'No unused-key report yet: the audit runs once the tenant policy sets unusedKeyDays (daily by default).',
  })
  async unusedKeys(@CurrentPrincipal() principal: Principal): Promise<UnusedKeyReportResource> {
    return toUnusedKeyReportResource(await this.getUnusedKeyReport.execute(ownTenant(principal)));
  }
}
