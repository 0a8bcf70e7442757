import { IssueCredentialUseCase, ListCredentialsUseCase } from '@keyward/credentials';
import {
  Allow,
  ApiProblems,
  CurrentChange,
  IdempotencyInterceptor,
  ListQueryDto,
  ParseIdPipe,
  type ChangeContext,
} from '@keyward/platform';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CredentialPage, IssuedCredentialResource, toCredentialResource, toIssuedCredentialResource } from './credential.resource';
import { CreateCredentialDto } from './dto/create-credential.dto';

const tenantId = new ParseIdPipe('The tenant');

@ApiTags('tenants (platform operator)')
@ApiBearerAuth()
@ApiProblems(401, 403, 404, 429)
@Allow('platform')
@Controller('v1/tenants/:tenantId/credentials')
export class TenantCredentialsController {
  constructor(
    private readonly issueCredential: IssueCredentialUseCase,
    private readonly listCredentials: ListCredentialsUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: '1..255 printable ASCII; a retry within 24 h returns the first answer',
  })
  @ApiCreatedResponse({ type: IssuedCredentialResource })
  @ApiProblems(400, 409, 413, 415, 422)
  async create(
    @Param('tenantId', tenantId) id: string,
    @Body() body: CreateCredentialDto,
    @CurrentChange() change: ChangeContext,
  ): Promise<IssuedCredentialResource> {
    const issued = await this.issueCredential.execute({
      tenantId: id,
      name: body.name,
      role: body.role,
      expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
      change,
    });
    return toIssuedCredentialResource(issued);
  }

  @Get()
  @ApiOkResponse({ type: CredentialPage })
  @ApiProblems(400)
  async list(@Param('tenantId', tenantId) id: string, @Query() query: ListQueryDto): Promise<CredentialPage> {
    const page = await this.listCredentials.execute({ tenantId: id, ...query });
    return { data: page.data.map(toCredentialResource), nextCursor: page.nextCursor };
  }
}
