import {
  Allow,
  ApiIdempotencyKey,
  ApiProblems,
  CurrentChange,
  IdempotencyInterceptor,
  ListQueryDto,
  ParseIdPipe,
  type ChangeContext,
} from '@keyward/platform';
import { ChangeTenantStatusUseCase, CreateTenantUseCase, GetTenantUseCase, ListTenantsUseCase } from '@keyward/tenants';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiPlatformRouteProblems, BODY_PROBLEMS, IDEMPOTENCY_PROBLEMS } from '../admin-api.openapi';
import { CreateTenantDto } from './dto/create-tenant.dto';
import { TenantPage, TenantResource, toTenantResource } from './tenant.resource';

const tenantId = new ParseIdPipe('The tenant');
const TENANT_ID_PARAM = { name: 'tenantId', format: 'uuid', description: "The tenant's id" };
const TENANT_NOT_FOUND = { code: 'NOT_FOUND', detail: 'The tenant was not found.' } as const;

@ApiTags('tenants')
@ApiPlatformRouteProblems()
@Allow('platform')
@Controller('v1/tenants')
export class TenantsController {
  constructor(
    private readonly createTenant: CreateTenantUseCase,
    private readonly listTenants: ListTenantsUseCase,
    private readonly getTenant: GetTenantUseCase,
    private readonly changeTenantStatus: ChangeTenantStatusUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({
    operationId: 'createTenant',
    summary: 'Create a tenant',
    description:
      'Creates an active tenant. It has no credentials yet: issue its first admin credential with createTenantCredential. ' +
      'Audited as tenant.created.',
  })
  @ApiIdempotencyKey()
  @ApiBody({ type: CreateTenantDto, examples: { tenant: { summary: 'A tenant', value: { name: 'Acme Corp' } } } })
  @ApiCreatedResponse({ type: TenantResource, description: 'The tenant, active' })
  @ApiProblems('VALIDATION_FAILED', ...BODY_PROBLEMS, ...IDEMPOTENCY_PROBLEMS)
  async create(@Body() body: CreateTenantDto, @CurrentChange() change: ChangeContext): Promise<TenantResource> {
    return toTenantResource(await this.createTenant.execute({ name: body.name, change }));
  }

  @Get()
  @ApiOperation({ operationId: 'listTenants', summary: 'List tenants', description: 'Every tenant, oldest first, a page at a time.' })
  @ApiOkResponse({ type: TenantPage, description: 'A page of tenants' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'limit', message: 'must not be greater than 100' }] })
  async list(@Query() query: ListQueryDto): Promise<TenantPage> {
    const page = await this.listTenants.execute(query);
    return { data: page.data.map(toTenantResource), nextCursor: page.nextCursor };
  }

  @Get(':tenantId')
  @ApiOperation({ operationId: 'getTenant', summary: 'Get a tenant', description: 'One tenant, with its status.' })
  @ApiParam(TENANT_ID_PARAM)
  @ApiOkResponse({ type: TenantResource, description: 'The tenant' })
  @ApiProblems(TENANT_NOT_FOUND)
  async get(@Param('tenantId', tenantId) id: string): Promise<TenantResource> {
    return toTenantResource(await this.getTenant.execute(id));
  }

  @Post(':tenantId/suspend')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'suspendTenant',
    summary: 'Suspend a tenant',
    description:
      'While a tenant is suspended its keys verify as DISABLED and its admin and auditor credentials get 403 TENANT_SUSPENDED; in force on every verify process within 1 second. Idempotent. Audited as tenant.suspended.',
  })
  @ApiParam(TENANT_ID_PARAM)
  @ApiOkResponse({ type: TenantResource, description: 'The tenant, suspended' })
  @ApiProblems(TENANT_NOT_FOUND)
  async suspend(@Param('tenantId', tenantId) id: string, @CurrentChange() change: ChangeContext): Promise<TenantResource> {
    return toTenantResource(await this.changeTenantStatus.execute({ tenantId: id, status: 'suspended', change }));
  }

  @Post(':tenantId/resume')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'resumeTenant',
    summary: 'Resume a suspended tenant',
    description: 'Makes a suspended tenant active again: its keys and credentials work as before. Idempotent. Audited as tenant.resumed.',
  })
  @ApiParam(TENANT_ID_PARAM)
  @ApiOkResponse({ type: TenantResource, description: 'The tenant, active' })
  @ApiProblems(TENANT_NOT_FOUND)
  async resume(@Param('tenantId', tenantId) id: string, @CurrentChange() change: ChangeContext): Promise<TenantResource> {
    return toTenantResource(await this.changeTenantStatus.execute({ tenantId: id, status: 'active', change }));
  }
}
