import {
  Allow,
  ApiProblems,
  CurrentChange,
  IdempotencyInterceptor,
  ListQueryDto,
  ParseIdPipe,
  type ChangeContext,
} from '@keyward/platform';
import { ChangeTenantStatusUseCase, CreateTenantUseCase, GetTenantUseCase, ListTenantsUseCase } from '@keyward/tenants';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CreateTenantDto } from './dto/create-tenant.dto';
import { TenantPage, TenantResource, toTenantResource } from './tenant.resource';

const tenantId = new ParseIdPipe('The tenant');

@ApiTags('tenants (platform operator)')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
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
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: '1..255 printable ASCII; a retry within 24 h returns the first answer',
  })
  @ApiCreatedResponse({ type: TenantResource })
  @ApiProblems(400, 409, 413, 415, 422)
  async create(@Body() body: CreateTenantDto, @CurrentChange() change: ChangeContext): Promise<TenantResource> {
    return toTenantResource(await this.createTenant.execute({ name: body.name, change }));
  }

  @Get()
  @ApiOkResponse({ type: TenantPage })
  @ApiProblems(400)
  async list(@Query() query: ListQueryDto): Promise<TenantPage> {
    const page = await this.listTenants.execute(query);
    return { data: page.data.map(toTenantResource), nextCursor: page.nextCursor };
  }

  @Get(':tenantId')
  @ApiOkResponse({ type: TenantResource })
  @ApiProblems(404)
  async get(@Param('tenantId', tenantId) id: string): Promise<TenantResource> {
    return toTenantResource(await this.getTenant.execute(id));
  }

  @Post(':tenantId/suspend')
  @HttpCode(200)
  @ApiOkResponse({ type: TenantResource, description: 'Suspended: its keys verify as DISABLED, its admins and auditors get 403' })
  @ApiProblems(404)
  async suspend(@Param('tenantId', tenantId) id: string, @CurrentChange() change: ChangeContext): Promise<TenantResource> {
    return toTenantResource(await this.changeTenantStatus.execute({ tenantId: id, status: 'suspended', change }));
  }

  @Post(':tenantId/resume')
  @HttpCode(200)
  @ApiOkResponse({ type: TenantResource })
  @ApiProblems(404)
  async resume(@Param('tenantId', tenantId) id: string, @CurrentChange() change: ChangeContext): Promise<TenantResource> {
    return toTenantResource(await this.changeTenantStatus.execute({ tenantId: id, status: 'active', change }));
  }
}
