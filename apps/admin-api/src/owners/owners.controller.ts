import {
  ChangeCreditsUseCase,
  DeleteOwnerUseCase,
  GetOwnerUseCase,
  ListOwnersUseCase,
  OWNER_ID_PATTERN,
  PutOwnerUseCase,
} from '@keyward/keys';
import {
  Allow,
  ApiProblems,
  CurrentChange,
  CurrentPrincipal,
  ListQueryDto,
  NotFoundError,
  type ChangeContext,
  type Principal,
} from '@keyward/platform';
import { Body, Controller, Delete, Get, HttpCode, Injectable, Param, Post, Put, Query, type PipeTransform } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiTenantRouteProblems, BODY_PROBLEMS } from '../admin-api.openapi';
import { CHANGE_CREDITS_EXAMPLES, CHANGE_CREDITS_PROBLEMS, ChangeCreditsDto, CreditsChangedResource } from '../keys/dto/change-credits.dto';
import { ownTenant } from '../own-tenant';
import { PUT_OWNER_EXAMPLES, PutOwnerDto } from './dto/put-owner.dto';
import { OwnerPage, OwnerResource, toOwnerResource } from './owner.resource';

/** An owner id in a path that no owner can have is simply not found (docs/api.md, Conventions). */
@Injectable()
class ParseOwnerIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!OWNER_ID_PATTERN.test(value)) throw new NotFoundError('The owner');
    return value;
  }
}

const ownerId = new ParseOwnerIdPipe();
const OWNER_ID_PARAM = {
  name: 'ownerId',
  description: 'The owner id its keys carry: 1 to 200 characters of A-Z a-z 0-9 _ . : @ -',
  schema: { type: 'string' as const, pattern: OWNER_ID_PATTERN.source, example: 'cus_4711' },
};
const OWNER_NOT_FOUND = { code: 'NOT_FOUND', detail: 'The owner was not found.' } as const;

@ApiTags('owners')
@ApiTenantRouteProblems()
@Allow('admin')
@Controller('v1/owners')
export class OwnersController {
  constructor(
    private readonly putOwner: PutOwnerUseCase,
    private readonly getOwner: GetOwnerUseCase,
    private readonly listOwners: ListOwnersUseCase,
    private readonly deleteOwner: DeleteOwnerUseCase,
    private readonly changeCredits: ChangeCreditsUseCase,
  ) {}

  @Put(':ownerId')
  @ApiOperation({
    operationId: 'putOwner',
    summary: 'Create or replace an owner',
    description:
      'Makes the owner, or replaces its name, meta and limits: every key with this ownerId, made before or after, shares ' +
      'its limits and credits. Credits left out, or the same as the owner shows, keep the balance being spent. In force ' +
      'on every verify process within 1 second. Audited as owner.created or owner.updated.',
  })
  @ApiParam(OWNER_ID_PARAM)
  @ApiBody({ type: PutOwnerDto, examples: PUT_OWNER_EXAMPLES })
  @ApiOkResponse({ type: OwnerResource, description: 'The owner, as it now is' })
  @ApiProblems(
    { code: 'VALIDATION_FAILED', errors: [{ field: 'rateLimits[0].name', message: 'must be 1 to 32 characters of a-z 0-9 _ -' }] },
    ...BODY_PROBLEMS,
  )
  async put(
    @Param('ownerId') id: string,
    @Body() body: PutOwnerDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<OwnerResource> {
    return toOwnerResource(await this.putOwner.execute({ ...body, tenantId: ownTenant(principal), ownerId: id, change }));
  }

  @Get()
  @Allow('admin', 'auditor')
  @ApiOperation({ operationId: 'listOwners', summary: "List your tenant's owners", description: 'Oldest first, a page at a time.' })
  @ApiOkResponse({ type: OwnerPage, description: 'A page of owners' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'limit', message: 'must not be greater than 100' }] })
  async list(@Query() query: ListQueryDto, @CurrentPrincipal() principal: Principal): Promise<OwnerPage> {
    const page = await this.listOwners.execute(ownTenant(principal), query);
    const now = new Date();
    return { data: page.data.map((owner) => toOwnerResource(owner, now)), nextCursor: page.nextCursor };
  }

  @Get(':ownerId')
  @Allow('admin', 'auditor')
  @ApiOperation({ operationId: 'getOwner', summary: 'Get an owner', description: "One owner of the caller's tenant." })
  @ApiParam(OWNER_ID_PARAM)
  @ApiOkResponse({ type: OwnerResource, description: 'The owner' })
  @ApiProblems(OWNER_NOT_FOUND)
  async get(@Param('ownerId', ownerId) id: string, @CurrentPrincipal() principal: Principal): Promise<OwnerResource> {
    return toOwnerResource(await this.getOwner.execute(ownTenant(principal), id));
  }

  @Delete(':ownerId')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteOwner',
    summary: 'Delete an owner',
    description:
      'Its keys keep working, without the owner’s limits and credits, on every verify process within 1 second. Audited as owner.deleted.',
  })
  @ApiParam(OWNER_ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(OWNER_NOT_FOUND)
  async delete(
    @Param('ownerId', ownerId) id: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<void> {
    await this.deleteOwner.execute({ tenantId: ownTenant(principal), ownerId: id, change });
  }

  @Post(':ownerId/credits')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'changeOwnerCredits',
    summary: "Change an owner's credits",
    description:
      'increment or decrement the balance every key of the owner shares, atomically against concurrent verifications, or ' +
      'set it. Audited as owner.credits_changed with the op and amount.',
  })
  @ApiParam(OWNER_ID_PARAM)
  @ApiBody({ type: ChangeCreditsDto, examples: CHANGE_CREDITS_EXAMPLES })
  @ApiOkResponse({ type: CreditsChangedResource, description: 'The balance after the change' })
  @ApiProblems(
    { code: 'VALIDATION_FAILED', errors: [{ field: 'op', message: 'must be one of the following values: increment, decrement, set' }] },
    ...BODY_PROBLEMS,
    OWNER_NOT_FOUND,
    ...CHANGE_CREDITS_PROBLEMS,
  )
  credits(
    @Param('ownerId', ownerId) id: string,
    @Body() body: ChangeCreditsDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<CreditsChangedResource> {
    return this.changeCredits.execute({ tenantId: ownTenant(principal), target: { kind: 'owner', ownerId: id }, ...body, change });
  }
}
