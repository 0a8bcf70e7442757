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
  ApiProblems,
  CurrentChange,
  CurrentPrincipal,
  IdempotencyInterceptor,
  ParseIdPipe,
  type ChangeContext,
  type Principal,
} from '@keyward/platform';
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ownTenant } from '../own-tenant';
import { AbsentBodyAsEmptyInterceptor } from './absent-body-as-empty.interceptor';
import { CreateKeyDto } from './dto/create-key.dto';
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
const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: '1..255 printable ASCII; a retry within 24 h returns the first answer, the key included',
};

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
    private readonly getKeyUsage: GetKeyUsageUseCase,
    private readonly revealKey: RevealKeyUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: IssuedKeyResource })
  @ApiProblems(400, 409, 413, 415, 422)
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

  @Get(':keyId/usage')
  @Allow('admin', 'auditor')
  @ApiOkResponse({ type: KeyUsageResource, description: 'Every verification of the key, counted once, within 5 seconds' })
  @ApiProblems(400, 404)
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
  @UseInterceptors(AbsentBodyAsEmptyInterceptor, IdempotencyInterceptor)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: RotateKeyDto, required: false })
  @ApiCreatedResponse({ type: RotatedKeyResource, description: 'The successor, its plaintext key, and when the old key stops working' })
  @ApiProblems(400, 404, 409, 415, 422)
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
  @ApiOkResponse({ type: RevealedKeyResource, description: 'The plaintext of a successor made by scheduled rotation, once' })
  @ApiProblems(404, 410)
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
  @ApiBody({ type: RevokeKeyDto, required: false })
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
