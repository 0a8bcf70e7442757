import { ownTenant } from '../own-tenant';
import { IssueCredentialUseCase, ListCredentialsUseCase, RevokeCredentialUseCase } from '@keyward/credentials';
import {
  Allow,
  ApiIdempotencyKey,
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
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiTenantRouteProblems, BODY_PROBLEMS, IDEMPOTENCY_PROBLEMS } from '../admin-api.openapi';
import { CredentialPage, IssuedCredentialResource, toCredentialResource, toIssuedCredentialResource } from './credential.resource';
import { CREATE_CREDENTIAL_EXAMPLES, CreateCredentialDto } from './dto/create-credential.dto';

@ApiTags('credentials')
@ApiTenantRouteProblems()
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
  @ApiOperation({
    operationId: 'createCredential',
    summary: 'Issue a credential of your tenant',
    description:
      "Issues a credential of the caller's tenant with the given role: `admin`, `auditor`, or `verifier` for the services " +
      'that call POST /v1/verify. The token is in this response only. Audited as credential.created.',
  })
  @ApiIdempotencyKey()
  @ApiBody({ type: CreateCredentialDto, examples: CREATE_CREDENTIAL_EXAMPLES })
  @ApiCreatedResponse({ type: IssuedCredentialResource, description: 'The credential, with its token (shown this once)' })
  @ApiProblems(
    { code: 'VALIDATION_FAILED', errors: [{ field: 'expiresAt', message: 'must be in the future' }] },
    ...BODY_PROBLEMS,
    ...IDEMPOTENCY_PROBLEMS,
  )
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
  @ApiOperation({
    operationId: 'listCredentials',
    summary: "List your tenant's credentials",
    description: "The caller's tenant's credentials, revoked ones included, a page at a time; never their tokens.",
  })
  @ApiOkResponse({ type: CredentialPage, description: 'A page of credentials' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'limit', message: 'must not be greater than 100' }] })
  async list(@Query() query: ListQueryDto, @CurrentPrincipal() principal: Principal): Promise<CredentialPage> {
    const page = await this.listCredentials.execute({ tenantId: ownTenant(principal), ...query });
    return { data: page.data.map(toCredentialResource), nextCursor: page.nextCursor };
  }

  @Delete(':credentialId')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'revokeCredential',
    summary: 'Revoke a credential',
    description:
      "Revokes a credential of the caller's tenant: its token stops working at once on the admin API and within 1 second on " +
      'every verify process. Idempotent. Audited as credential.revoked.',
  })
  @ApiParam({ name: 'credentialId', format: 'uuid', description: "The credential's id" })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblems({ code: 'NOT_FOUND', detail: 'The credential was not found.' })
  async revoke(
    @Param('credentialId', new ParseIdPipe('The credential')) credentialId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<void> {
    await this.revokeCredential.execute({ tenantId: ownTenant(principal), credentialId, change });
  }
}
