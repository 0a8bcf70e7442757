import { ChangeCreditsUseCase } from '@keyward/keys';
import { Allow, ApiProblems, CurrentChange, CurrentPrincipal, ParseIdPipe, type ChangeContext, type Principal } from '@keyward/platform';
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiTenantRouteProblems, BODY_PROBLEMS } from '../admin-api.openapi';
import { ownTenant } from '../own-tenant';
import { CHANGE_CREDITS_EXAMPLES, CHANGE_CREDITS_PROBLEMS, ChangeCreditsDto, CreditsChangedResource } from './dto/change-credits.dto';

@ApiTags('keys')
@ApiTenantRouteProblems()
@Allow('admin')
@Controller('v1/keys')
export class KeyCreditsController {
  constructor(private readonly changeCredits: ChangeCreditsUseCase) {}

  @Post(':keyId/credits')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'changeKeyCredits',
    summary: "Change a key's credits",
    description:
      'increment or decrement the balance atomically against concurrent verifications (a top-up never loses a charge made ' +
      'at the same moment), or set it. Audited as key.credits_changed with the op and amount.',
  })
  @ApiParam({ name: 'keyId', format: 'uuid', description: "The key's id" })
  @ApiBody({ type: ChangeCreditsDto, examples: CHANGE_CREDITS_EXAMPLES })
  @ApiOkResponse({ type: CreditsChangedResource, description: 'The balance after the change' })
  @ApiProblems(
    { code: 'VALIDATION_FAILED', errors: [{ field: 'amount', message: 'must not be less than 0' }] },
    ...BODY_PROBLEMS,
    { code: 'NOT_FOUND', detail: 'The key was not found.' },
    ...CHANGE_CREDITS_PROBLEMS,
  )
  credits(
    @Param('keyId', new ParseIdPipe('The key')) id: string,
    @Body() body: ChangeCreditsDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<CreditsChangedResource> {
    return this.changeCredits.execute({ tenantId: ownTenant(principal), target: { kind: 'key', keyId: id }, ...body, change });
  }
}
