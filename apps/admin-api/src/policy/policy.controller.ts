import { Allow, ApiProblems, CurrentChange, CurrentPrincipal, type ChangeContext, type Principal } from '@keyward/platform';
import { GetPolicyUseCase, PutPolicyUseCase, type TenantPolicy } from '@keyward/policy';
import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ownTenant } from '../own-tenant';
import { TenantPolicyDto } from './policy.dto';

@ApiTags('policy (tenant admin; auditors may read)')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Controller('v1/policy')
export class PolicyController {
  constructor(
    private readonly getPolicy: GetPolicyUseCase,
    private readonly putPolicy: PutPolicyUseCase,
  ) {}

  @Get()
  @Allow('admin', 'auditor')
  @ApiOkResponse({ type: TenantPolicyDto })
  get(@CurrentPrincipal() principal: Principal): Promise<TenantPolicy> {
    return this.getPolicy.execute(ownTenant(principal));
  }

  @Put()
  @Allow('admin')
  @ApiOkResponse({ type: TenantPolicyDto })
  @ApiProblems(400, 413, 415)
  put(
    @Body() body: TenantPolicyDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<TenantPolicy> {
    return this.putPolicy.execute({ tenantId: ownTenant(principal), policy: { ...body }, change });
  }
}
