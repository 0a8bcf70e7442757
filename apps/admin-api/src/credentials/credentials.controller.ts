import { ownTenant } from '../own-tenant';
import { IssueCredentialUseCase, ListCredentialsUseCase, RevokeCredentialUseCase } from '@keyward/credentials';
import {
  Allow,
  ApiProblems,
  CurrentChange,
  CurrentPrincipal,
  IdempotencyInterceptor,
  ListQueryDto,
  ParseIdPipe,
  type ChangeContext,
  type Principal,
} from '@keyward/platform';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CredentialPage, IssuedCredentialResource, toCredentialResource, toIssuedCredentialResource } from './credential.resource';
import { CreateCredentialDto } from './dto/create-credential.dto';

@ApiTags('credentials (tenant admin)')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Allow('admin')
@Controller('v1/credentials')
export class CredentialsController {
  constructor(
    private readonly issueCredential: IssueCredentialUseCase,
    private readonly listCredentials: ListCredentialsUseCase,
    private readonly revokeCredential: RevokeCredentialUseCase,
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
    @Body() body: CreateCredentialDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<IssuedCredentialResource> {
    const issued = await this.issueCredential.execute({
      tenantId: ownTenant(principal),
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
  async list(@Query() query: ListQueryDto, @CurrentPrincipal() principal: Principal): Promise<CredentialPage> {
    const page = await this.listCredentials.execute({ tenantId: ownTenant(principal), ...query });
    return { data: page.data.map(toCredentialResource), nextCursor: page.nextCursor };
  }

  @Delete(':credentialId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked (idempotent): the token stops working at once' })
  @ApiProblems(404)
  async revoke(
    @Param('credentialId', new ParseIdPipe('The credential')) credentialId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<void> {
    await this.revokeCredential.execute({ tenantId: ownTenant(principal), credentialId, change });
  }
}
