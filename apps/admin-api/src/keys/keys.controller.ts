import { CreateKeyUseCase, GetKeyUseCase, ListKeysUseCase, RevokeKeyUseCase, RotateKeyUseCase, UpdateKeyUseCase } from '@keyward/keys';
import {
  Allow,
  ApiProblems,
  CurrentChange,
  CurrentPrincipal,
  IdempotencyInterceptor,
  ParseIdPipe,
  type ChangeContext,
  type Principal,
} from '@keyward/platform';
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ownTenant } from '../own-tenant';
import { CreateKeyDto } from './dto/create-key.dto';
import { ListKeysQueryDto } from './dto/list-keys-query.dto';
import { RevokeKeyDto, RotateKeyDto } from './dto/rotate-key.dto';
import { UpdateKeyDto } from './dto/update-key.dto';
import { IssuedKeyResource, KeyPage, KeyResource, RotatedKeyResource, toKeyResource, toRotatedKeyResource } from './key.resource';

const keyId = new ParseIdPipe('The key');
const optionalDate = (value: string | null | undefined): Date | null | undefined =>
  value === undefined ? undefined : value === null ? null : new Date(value);
const IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', required: false, description: '1..255 printable ASCII; a retry within 24 h returns the first answer, the key included' };

@ApiTags('keys (tenant admin; auditors may read)')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
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
  ) {}

  @Post()
  @HttpCode(201)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: IssuedKeyResource })
  @ApiProblems(400, 409, 413, 415, 422)
  async create(@Body() body: CreateKeyDto, @CurrentPrincipal() principal: Principal, @CurrentChange() change: ChangeContext): Promise<IssuedKeyResource> {
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
  @ApiOkResponse({ type: KeyPage })
  @ApiProblems(400)
  async list(@Query() query: ListKeysQueryDto, @CurrentPrincipal() principal: Principal): Promise<KeyPage> {
    const page = await this.listKeys.execute(ownTenant(principal), query);
    const now = new Date();
    return { data: page.data.map((key) => toKeyResource(key, now)), nextCursor: page.nextCursor };
  }

  @Get(':keyId')
  @Allow('admin', 'auditor')
  @ApiOkResponse({ type: KeyResource })
  @ApiProblems(404)
  async get(@Param('keyId', keyId) id: string, @CurrentPrincipal() principal: Principal): Promise<KeyResource> {
    return toKeyResource(await this.getKey.execute(ownTenant(principal), id));
  }

  @Patch(':keyId')
  @ApiOkResponse({ type: KeyResource })
  @ApiProblems(400, 404, 409, 413, 415)
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
  @UseInterceptors(IdempotencyInterceptor)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: RotatedKeyResource, description: 'The successor, its plaintext key, and when the old key stops working' })
  @ApiProblems(400, 404, 409, 415, 422)
  async rotate(
    @Param('keyId', keyId) id: string,
    @Body() body: RotateKeyDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<RotatedKeyResource> {
    const rotated = await this.rotateKey.execute({ tenantId: ownTenant(principal), keyId: id, gracePeriodSeconds: body?.gracePeriodSeconds, change });
    return toRotatedKeyResource(rotated);
  }

  @Post(':keyId/revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: KeyResource, description: 'The key, revoked (idempotent)' })
  @ApiProblems(400, 404, 415)
  async revoke(
    @Param('keyId', keyId) id: string,
    @Body() body: RevokeKeyDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<KeyResource> {
    return toKeyResource(await this.revokeKey.execute({ tenantId: ownTenant(principal), keyId: id, reason: body?.reason, change }));
  }
}
