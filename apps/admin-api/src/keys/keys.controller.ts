import {
  CreateKeyUseCase,
  GetKeyUsageUseCase,
  GetKeyUseCase,
  ListKeysUseCase,
  RevealKeyUseCase,
  RevokeKeyUseCase,
  RotateKeyUseCase,
  UpdateKeyUseCase,
} from '@keyward/keys';
import {
  Allow,
  ApiIdempotencyKey,
  ApiProblems,
  CurrentChange,
  CurrentPrincipal,
  IdempotencyInterceptor,
  ParseIdPipe,
  type ChangeContext,
  type Principal,
} from '@keyward/platform';
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiTenantRouteProblems, BODY_PROBLEMS, IDEMPOTENCY_PROBLEMS } from '../admin-api.openapi';
import { ownTenant } from '../own-tenant';
import { AbsentBodyAsEmptyInterceptor } from './absent-body-as-empty.interceptor';
import { CreateKeyDto } from './dto/create-key.dto';
import { CREATE_KEY_EXAMPLES, REVOKE_KEY_EXAMPLES, ROTATE_KEY_EXAMPLES, UPDATE_KEY_EXAMPLES } from './dto/key-examples';
import { KeyUsageQueryDto } from './dto/key-usage-query.dto';
import { KeyUsageResource } from './key-usage.resource';
import { ListKeysQueryDto } from './dto/list-keys-query.dto';
import { RevokeKeyDto, RotateKeyDto } from './dto/rotate-key.dto';
import { UpdateKeyDto } from './dto/update-key.dto';
import {
  IssuedKeyResource,
  KeyPage,
  KeyResource,
  RevealedKeyResource,
  RotatedKeyResource,
  toKeyResource,
  toRotatedKeyResource,
} from './key.resource';

const keyId = new ParseIdPipe('The key');
const optionalDate = (value: string | null | undefined): Date | null | undefined =>
  value === undefined ? undefined : value === null ? null : new Date(value);
const KEY_ID_PARAM = { name: 'keyId', format: 'uuid', description: "The key's id" };
const KEY_NOT_FOUND = { code: 'NOT_FOUND', detail: 'The key was not found.' } as const;

@ApiTags('keys')
@ApiTenantRouteProblems()
@Allow('admin')
@Controller('v1/keys')
export class KeysController {
  constructor(
    private readonly createKey: CreateKeyUseCase,
    private readonly listKeys: ListKeysUseCase,
    private readonly getKey: GetKeyUseCase,
    private readonly updateKey: UpdateKeyUseCase,
    private readonly rotateKey: RotateKeyUseCase,
    private readonly revokeKey: RevokeKeyUseCase,
    private readonly getKeyUsage: GetKeyUsageUseCase,
    private readonly revealKey: RevealKeyUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({
    operationId: 'createKey',
    summary: 'Issue an API key',
    description:
      "Issues a key of the caller's tenant: `<prefix>_<environment>_` and 38 base62 characters, the last 6 a checksum. The " +
      'plaintext `key` is in this response only; it is stored as a keyed hash. The key verifies from the moment this answer ' +
      'is sent. Audited as key.created.',
  })
  @ApiIdempotencyKey()
  @ApiBody({ type: CreateKeyDto, examples: CREATE_KEY_EXAMPLES })
  @ApiCreatedResponse({ type: IssuedKeyResource, description: 'The key, with its plaintext (shown this once)' })
  @ApiProblems(
    { code: 'VALIDATION_FAILED', errors: [{ field: 'expiresAt', message: 'must be in the future' }] },
    ...BODY_PROBLEMS,
    ...IDEMPOTENCY_PROBLEMS,
  )
  async create(
    @Body() body: CreateKeyDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<IssuedKeyResource> {
    const { key, plaintext } = await this.createKey.execute({
      ...body,
      tenantId: ownTenant(principal),
      expiresAt: optionalDate(body.expiresAt) ?? undefined,
      change,
    });
    return { ...toKeyResource(key), key: plaintext };
  }

  @Get()
  @Allow('admin', 'auditor')
  @ApiOperation({
    operationId: 'listKeys',
    summary: "List your tenant's keys",
    description:
      "The caller's tenant's keys, newest first, a page at a time, optionally of one owner or in one status; never their secrets.",
  })
  @ApiOkResponse({ type: KeyPage, description: 'A page of keys' })
  @ApiProblems({
    code: 'VALIDATION_FAILED',
    errors: [{ field: 'status', message: 'must be one of the following values: active, disabled, expired, revoked' }],
  })
  async list(@Query() query: ListKeysQueryDto, @CurrentPrincipal() principal: Principal): Promise<KeyPage> {
    const page = await this.listKeys.execute(ownTenant(principal), query);
    const now = new Date();
    return { data: page.data.map((key) => toKeyResource(key, now)), nextCursor: page.nextCursor };
  }

  @Get(':keyId')
  @Allow('admin', 'auditor')
  @ApiOperation({ operationId: 'getKey', summary: 'Get a key', description: "One key of the caller's tenant; never its secret." })
  @ApiParam(KEY_ID_PARAM)
  @ApiOkResponse({ type: KeyResource, description: 'The key' })
  @ApiProblems(KEY_NOT_FOUND)
  async get(@Param('keyId', keyId) id: string, @CurrentPrincipal() principal: Principal): Promise<KeyResource> {
    return toKeyResource(await this.getKey.execute(ownTenant(principal), id));
  }

  @Get(':keyId/usage')
  @Allow('admin', 'auditor')
  @ApiOperation({
    operationId: 'getKeyUsage',
    summary: "Get a key's usage",
    description:
      'Verifications of the key by hour or day and by code, between `from` and `to`: every verification counted once, ' +
      'within 5 seconds.',
  })
  @ApiParam(KEY_ID_PARAM)
  @ApiOkResponse({ type: KeyUsageResource, description: 'The buckets with traffic' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'from', message: 'must be before to' }] }, KEY_NOT_FOUND)
  usage(
    @Param('keyId', keyId) id: string,
    @Query() query: KeyUsageQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<KeyUsageResource> {
    return this.getKeyUsage.execute({
      tenantId: ownTenant(principal),
      keyId: id,
      granularity: query.granularity,
      from: optionalDate(query.from) ?? undefined,
      to: optionalDate(query.to) ?? undefined,
    });
  }

  @Patch(':keyId')
  @ApiOperation({
    operationId: 'updateKey',
    summary: 'Change a key',
    description:
      'Changes the fields given, and only those; `null` clears expiresAt, rateLimit, remaining, ipAllowlist and rotation, and ' +
      '`enabled: false` disables the key. In force on every verify process within 1 second. A revoked key cannot be changed. ' +
      'Audited as key.updated (key.disabled, key.enabled).',
  })
  @ApiParam(KEY_ID_PARAM)
  @ApiBody({ type: UpdateKeyDto, examples: UPDATE_KEY_EXAMPLES })
  @ApiOkResponse({ type: KeyResource, description: 'The key, changed' })
  @ApiProblems(
    { code: 'VALIDATION_FAILED', errors: [{ field: 'body', message: 'must change at least one field' }] },
    ...BODY_PROBLEMS,
    KEY_NOT_FOUND,
    { code: 'CONFLICT', when: 'The key is revoked.', detail: 'The key is revoked and can no longer be changed.' },
  )
  async update(
    @Param('keyId', keyId) id: string,
    @Body() body: UpdateKeyDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<KeyResource> {
    const key = await this.updateKey.execute({
      tenantId: ownTenant(principal),
      keyId: id,
      changes: { ...body, expiresAt: optionalDate(body.expiresAt) },
      change,
    });
    return toKeyResource(key);
  }

  @Post(':keyId/rotate')
  @HttpCode(201)
  @UseInterceptors(AbsentBodyAsEmptyInterceptor, IdempotencyInterceptor)
  @ApiOperation({
    operationId: 'rotateKey',
    summary: 'Rotate a key',
    description:
      'Issues a successor with the same name, owner, scopes, roles, meta and limits; the old key keeps working until its grace ' +
      "period ends (then it is EXPIRED). The successor's plaintext `key` is in this response only. The body may be left " +
      'out. Audited as key.rotated.',
  })
  @ApiParam(KEY_ID_PARAM)
  @ApiIdempotencyKey()
  @ApiBody({ type: RotateKeyDto, required: false, examples: ROTATE_KEY_EXAMPLES })
  @ApiCreatedResponse({ type: RotatedKeyResource, description: 'The successor, its plaintext key, and when the old key stops working' })
  @ApiProblems(
    { code: 'VALIDATION_FAILED', errors: [{ field: 'gracePeriodSeconds', message: 'must not be less than 0' }] },
    ...BODY_PROBLEMS,
    KEY_NOT_FOUND,
    {
      code: 'CONFLICT',
      when: 'The key is revoked or expired, or was rotated already.',
      detail: 'The key cannot be rotated: it was already rotated.',
    },
    ...IDEMPOTENCY_PROBLEMS,
  )
  async rotate(
    @Param('keyId', keyId) id: string,
    @Body() body: RotateKeyDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<RotatedKeyResource> {
    const rotated = await this.rotateKey.execute({
      tenantId: ownTenant(principal),
      keyId: id,
      gracePeriodSeconds: body?.gracePeriodSeconds,
      change,
    });
    return toRotatedKeyResource(rotated);
  }

  @Post(':keyId/reveal')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'revealKey',
    summary: 'Reveal a key made by scheduled rotation',
    description:
      "The plaintext of a successor made by scheduled rotation, which no one has seen: once, until its predecessor's grace " +
      'period ends (at least 60 seconds after the rotation); then it is gone for good. Audited as key.revealed.',
  })
  @ApiParam(KEY_ID_PARAM)
  @ApiOkResponse({ type: RevealedKeyResource, description: 'The plaintext, shown this once' })
  @ApiProblems(KEY_NOT_FOUND, {
    code: 'GONE',
    when: 'The key was revealed already, its grace period ended, or it was not made by scheduled rotation.',
    detail: 'This key has no escrowed secret: it was revealed already, its grace period ended, or it was not made by scheduled rotation.',
  })
  reveal(
    @Param('keyId', keyId) id: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<RevealedKeyResource> {
    return this.revealKey.execute({ tenantId: ownTenant(principal), keyId: id, change });
  }

  @Post(':keyId/revoke')
  @HttpCode(200)
  @UseInterceptors(AbsentBodyAsEmptyInterceptor)
  @ApiOperation({
    operationId: 'revokeKey',
    summary: 'Revoke a key',
    description:
      'Revokes the key for good: verify answers REVOKED on every verify process within 1 second. Idempotent. The body may ' +
      'be left out. Audited as key.revoked.',
  })
  @ApiParam(KEY_ID_PARAM)
  @ApiBody({ type: RevokeKeyDto, required: false, examples: REVOKE_KEY_EXAMPLES })
  @ApiOkResponse({ type: KeyResource, description: 'The key, revoked' })
  @ApiProblems(
    { code: 'VALIDATION_FAILED', errors: [{ field: 'reason', message: 'must be shorter than or equal to 500 characters' }] },
    ...BODY_PROBLEMS,
    KEY_NOT_FOUND,
  )
  async revoke(
    @Param('keyId', keyId) id: string,
    @Body() body: RevokeKeyDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<KeyResource> {
    return toKeyResource(await this.revokeKey.execute({ tenantId: ownTenant(principal), keyId: id, reason: body?.reason, change }));
  }
}
