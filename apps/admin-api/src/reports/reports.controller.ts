import { GetUnusedKeyReportUseCase } from '@keyward/keys';
import { Allow, ApiProblems, CurrentPrincipal, type Principal } from '@keyward/platform';
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ownTenant } from '../own-tenant';
import { toUnusedKeyReportResource, UnusedKeyReportResource } from './unused-key-report.resource';

/** Read-only: reports are made by the worker's jobs. */
@ApiTags('reports (tenant admin, auditor)')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Allow('admin', 'auditor')
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly getUnusedKeyReport: GetUnusedKeyReportUseCase) {}

  @Get('unused-keys')
  @ApiOkResponse({
    type: UnusedKeyReportResource,
    description:
      "The tenant's latest unused-key audit; 404 NOT_FOUND until one has run (the policy sets no unusedKeyDays, or its first run is still to come)",
  })
  @ApiProblems(404)
  async unusedKeys(@CurrentPrincipal() principal: Principal): Promise<UnusedKeyReportResource> {
    return toUnusedKeyReportResource(await this.getUnusedKeyReport.execute(ownTenant(principal)));
  }
}
