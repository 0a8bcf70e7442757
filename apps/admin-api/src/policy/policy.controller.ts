import { Allow, ApiProblems, CurrentChange, CurrentPrincipal, type ChangeContext, type Principal } from '@keyward/platform';
import { DEFAULT_POLICY, GetPolicyUseCase, PutPolicyUseCase, withPolicyDefaults, type TenantPolicy } from '@keyward/policy';
import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiTenantRouteProblems, BODY_PROBLEMS } from '../admin-api.openapi';
import { ownTenant } from '../own-tenant';
import { TenantPolicyDto, TenantPolicyResource } from './policy.dto';

@ApiTags('policy')
@ApiTenantRouteProblems()
@Controller('v1/policy')
export class PolicyController {
  constructor(
    private readonly getPolicy: GetPolicyUseCase,
    private readonly putPolicy: PutPolicyUseCase,
  ) {}

  @Get()
  @Allow('admin', 'auditor')
  @ApiOperation({
    operationId: 'getPolicy',
    summary: "Get your tenant's policy",
    description:
      "The caller's tenant's policy; a tenant that never set one has the defaults (nothing enforced, warnings 7 and 1 days ahead).",
  })
  @ApiOkResponse({ type: TenantPolicyResource, description: 'The policy' })
  get(@CurrentPrincipal() principal: Principal): Promise<TenantPolicy> {
    return this.getPolicy.execute(ownTenant(principal));
  }

  @Put()
  @Allow('admin')
  @ApiOperation({
    operationId: 'replacePolicy',
    summary: "Replace your tenant's policy",
    description:
      'Replaces the whole policy: every field is required but leakedKeyAction (`revoke` when left out) and the usage ' +
      'signal fields creditsLowPercent, limitNearPercent, spikeFactor, spikeMinimum and newSourceSignals (their defaults ' +
      'when left out). Audited as policy.updated.',
  })
  @ApiBody({
    type: TenantPolicyDto,
    examples: {
      enforce: {
        summary: 'Disable keys unused for 90 days; keys live at most a year',
        value: {
          unusedKeyDays: 90,
          unusedKeyAction: 'disable',
          maxKeyLifetimeDays: 365,
          expiryWarningDays: [30, 7, 1],
          leakedKeyAction: 'revoke',
          creditsLowPercent: 10,
          limitNearPercent: 90,
          spikeFactor: 5,
          spikeMinimum: 1000,
          newSourceSignals: true,
        },
      },
      defaults: {
        summary: 'The defaults: nothing enforced',
        value: { ...DEFAULT_POLICY },
      },
    },
  })
  @ApiOkResponse({ type: TenantPolicyResource, description: 'The policy, as stored' })
  @ApiProblems(
    {
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'unusedKeyAction', message: 'must be one of the following values: report, disable, revoke' }],
    },
    ...BODY_PROBLEMS,
  )
  put(
    @Body() body: TenantPolicyDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<TenantPolicy> {
    return this.putPolicy.execute({
      tenantId: ownTenant(principal),
      policy: withPolicyDefaults(body),
      change,
    });
  }
}
