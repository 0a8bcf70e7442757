import { ReportKeyLeaksUseCase } from '@keyward/keys';
import { Allow, ApiProblems, CurrentChange, CurrentPrincipal, ParseIdPipe, type ChangeContext, type Principal } from '@keyward/platform';
import { Body, Controller, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiTenantRouteProblems, BODY_PROBLEMS } from '../admin-api.openapi';
import { ownTenant } from '../own-tenant';
import { AbsentBodyAsEmptyInterceptor } from './absent-body-as-empty.interceptor';
import { ReportKeyLeakDto } from './dto/report-key-leak.dto';
import { KeyResource, toKeyResource } from './key.resource';

/** A tenant admin's own report of a leaked key (docs/secret-scanning.md): the same handling as GitHub's. */
@ApiTags('keys')
@ApiTenantRouteProblems()
@Allow('admin')
@Controller('v1/keys')
export class KeyLeaksController {
  constructor(private readonly reportKeyLeaks: ReportKeyLeaksUseCase) {}

  @Post(':keyId/leaked')
  @HttpCode(200)
  @UseInterceptors(AbsentBodyAsEmptyInterceptor)
  @ApiOperation({
    operationId: 'reportKeyLeaked',
    summary: 'Report a key as leaked',
    description:
      "Applies the tenant policy's leakedKeyAction at once: `revoke` (the default; verify answers REVOKED on every verify " +
      'process within 1 second), `disable`, or `report` (nothing changes). Audited as key.leaked `{url, source, action}` ' +
      '(and key.revoked or key.disabled when the key changed); webhook key.leaked. A revoked key can be reported again. ' +
      'The body may be left out.',
  })
  @ApiParam({ name: 'keyId', format: 'uuid', description: "The key's id" })
  @ApiBody({
    type: ReportKeyLeakDto,
    required: false,
    examples: {
      found: { summary: 'Found in a public gist', value: { url: 'https://gist.github.com/octocat/6cad326836d38bd3a7ae', source: 'gist' } },
      unknown: { summary: 'Where is not known', value: {} },
    },
  })
  @ApiOkResponse({ type: KeyResource, description: "The key, after the policy's action" })
  @ApiProblems(
    { code: 'VALIDATION_FAILED', errors: [{ field: 'url', message: 'must be shorter than or equal to 2048 characters' }] },
    ...BODY_PROBLEMS,
    { code: 'NOT_FOUND', detail: 'The key was not found.' },
  )
  async leaked(
    @Param('keyId', new ParseIdPipe('The key')) keyId: string,
    @Body() body: ReportKeyLeakDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<KeyResource> {
    const [key] = await this.reportKeyLeaks.execute({
      tenantId: ownTenant(principal),
      leaks: [{ keyId, url: body.url ?? null, source: body.source ?? null }],
      change,
    });
    return toKeyResource(key);
  }
}
