import { IssueCredentialUseCase, ListCredentialsUseCase } from '@keyward/credentials';
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
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiPlatformRouteProblems, BODY_PROBLEMS, IDEMPOTENCY_PROBLEMS } from '../admin-api.openapi';
import { CredentialPage, IssuedCredentialResource, toCredentialResource, toIssuedCredentialResource } from './credential.resource';
import { CREATE_CREDENTIAL_EXAMPLES, CreateCredentialDto } from './dto/create-credential.dto';

const tenantId = new ParseIdPipe('The tenant');
const TENANT_NOT_FOUND = { code: 'NOT_FOUND', detail: 'The tenant was not found.' } as const;

@ApiTags('tenants')
@ApiPlatformRouteProblems()
@ApiParam({ name: 'tenantId', format: 'uuid', description: "The tenant's id" })
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
  @ApiOperation({
    operationId: 'createTenantCredential',
    summary: "Issue a tenant's credential",
    description:
      "Issues a credential of the tenant with the given role; a new tenant's first admin credential is made this way. The " +
      "token is in this response only. Audited as credential.created in the tenant's log.",
  })
  @ApiIdempotencyKey()
  @ApiBody({ type: CreateCredentialDto, examples: CREATE_CREDENTIAL_EXAMPLES })
  @ApiCreatedResponse({ type: IssuedCredentialResource, description: 'The credential, with its token (shown this once)' })
  @ApiProblems(
    { code: 'VALIDATION_FAILED', errors: [{ field: 'role', message: 'must be one of the following values: admin, auditor, verifier' }] },
    ...BODY_PROBLEMS,
    TENANT_NOT_FOUND,
    ...IDEMPOTENCY_PROBLEMS,
  )
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
  @ApiOperation({
    operationId: 'listTenantCredentials',
    summary: "List a tenant's credentials",
    description: "The tenant's credentials, revoked ones included, a page at a time; never their tokens.",
  })
  @ApiOkResponse({ type: CredentialPage, description: 'A page of credentials' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'limit', message: 'must not be greater than 100' }] }, TENANT_NOT_FOUND)
  async list(@Param('tenantId', tenantId) id: string, @Query() query: ListQueryDto): Promise<CredentialPage> {
    const page = await this.listCredentials.execute({ tenantId: id, ...query });
    return { data: page.data.map(toCredentialResource), nextCursor: page.nextCursor };
  }
}
