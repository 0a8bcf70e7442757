import { DeleteRoleUseCase, GetRoleUseCase, ListRolesUseCase, PutRoleUseCase, RoleNotFoundError, scopeProblem } from '@keyward/keys';
import { Allow, ApiProblems, CurrentChange, CurrentPrincipal, ListQueryDto, type ChangeContext, type Principal } from '@keyward/platform';
import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiTenantRouteProblems, BODY_PROBLEMS } from '../admin-api.openapi';
import { ownTenant } from '../own-tenant';
import { PutRoleDto } from './dto/put-role.dto';
import { RolePage, RoleResource, toRoleResource } from './role.resource';

const ROLE_NAME_PARAM = { name: 'name', description: "The role's name: 1 to 64 characters of a-z 0-9 _ . : * -", example: 'support' };
const ROLE_NOT_FOUND = { code: 'NOT_FOUND', detail: 'The role was not found.' } as const;

/** A name no role can have is no role of the tenant: not found, and never sent to the database. */
function existingName(name: string): string {
  if (scopeProblem(name) !== null) throw new RoleNotFoundError();
  return name;
}

@ApiTags('roles')
@ApiTenantRouteProblems()
@Allow('admin')
@Controller('v1/roles')
export class RolesController {
  constructor(
    private readonly putRole: PutRoleUseCase,
    private readonly listRoles: ListRolesUseCase,
    private readonly getRole: GetRoleUseCase,
    private readonly deleteRole: DeleteRoleUseCase,
  ) {}

  @Put(':name')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'putRole',
    summary: 'Create or replace a role',
    description:
      'Creates the role, or replaces its scopes and description. Every key that has the role is granted its scopes on every ' +
      'verify process within 1 second. Audited as role.updated.',
  })
  @ApiParam(ROLE_NAME_PARAM)
  @ApiBody({
    type: PutRoleDto,
    examples: { support: { summary: 'A support role', value: { scopes: ['billing:read', 'orders:*'], description: 'Support staff' } } },
  })
  @ApiOkResponse({ type: RoleResource, description: 'The role, as it now is' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'scopes', message: 'item 0 `*` may stand only last' }] }, ...BODY_PROBLEMS)
  async put(
    @Param('name') name: string,
    @Body() body: PutRoleDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<RoleResource> {
    const { role } = await this.putRole.execute({
      tenantId: ownTenant(principal),
      name,
      scopes: body.scopes,
      description: body.description,
      change,
    });
    return toRoleResource(role);
  }

  @Get()
  @Allow('admin', 'auditor')
  @ApiOperation({
    operationId: 'listRoles',
    summary: "List your tenant's roles",
    description: "The caller's tenant's roles, oldest first, a page at a time.",
  })
  @ApiOkResponse({ type: RolePage, description: 'A page of roles' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'limit', message: 'must not be greater than 100' }] })
  async list(@Query() query: ListQueryDto, @CurrentPrincipal() principal: Principal): Promise<RolePage> {
    const page = await this.listRoles.execute({ tenantId: ownTenant(principal), ...query });
    return { data: page.data.map(toRoleResource), nextCursor: page.nextCursor };
  }

  @Get(':name')
  @Allow('admin', 'auditor')
  @ApiOperation({ operationId: 'getRole', summary: 'Get a role', description: "One role of the caller's tenant." })
  @ApiParam(ROLE_NAME_PARAM)
  @ApiOkResponse({ type: RoleResource, description: 'The role' })
  @ApiProblems(ROLE_NOT_FOUND)
  async get(@Param('name') name: string, @CurrentPrincipal() principal: Principal): Promise<RoleResource> {
    return toRoleResource(await this.getRole.execute(ownTenant(principal), existingName(name)));
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteRole',
    summary: 'Delete a role',
    description: 'Deletes a role that no key has (revoked keys aside): take it off the keys first. Audited as role.deleted.',
  })
  @ApiParam(ROLE_NAME_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(ROLE_NOT_FOUND, { code: 'ROLE_IN_USE' })
  async delete(
    @Param('name') name: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<void> {
    await this.deleteRole.execute({ tenantId: ownTenant(principal), name: existingName(name), change });
  }
}
