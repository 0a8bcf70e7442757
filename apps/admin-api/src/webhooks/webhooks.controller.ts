import { ownTenant } from '../own-tenant';
import { Allow, ApiProblems, CurrentChange, CurrentPrincipal, ListQueryDto, ParseIdPipe, type ChangeContext, type Principal } from '@keyward/platform';
import { CreateWebhookUseCase, DeleteWebhookUseCase, ListWebhooksUseCase } from '@keyward/webhooks';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { CreatedWebhookResource, toCreatedWebhookResource, toWebhookResource, WebhookPage } from './webhook.resource';

/** Admins only: a webhook sends the tenant's key events to a URL, which auditors may not choose. */
@ApiTags('webhooks (tenant admin)')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Allow('admin')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly createWebhook: CreateWebhookUseCase,
    private readonly listWebhooks: ListWebhooksUseCase,
    private readonly deleteWebhook: DeleteWebhookUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: CreatedWebhookResource })
  @ApiProblems(400, 413, 415)
  async create(
    @Body() body: CreateWebhookDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<CreatedWebhookResource> {
    const created = await this.createWebhook.execute({ tenantId: ownTenant(principal), url: body.url, events: body.events, change });
    return toCreatedWebhookResource(created);
  }

  @Get()
  @ApiOkResponse({ type: WebhookPage })
  @ApiProblems(400)
  async list(@Query() query: ListQueryDto, @CurrentPrincipal() principal: Principal): Promise<WebhookPage> {
    const page = await this.listWebhooks.execute({ tenantId: ownTenant(principal), ...query });
    return { data: page.data.map(toWebhookResource), nextCursor: page.nextCursor };
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted: nothing more is delivered to its URL' })
  @ApiProblems(404)
  async delete(
    @Param('webhookId', new ParseIdPipe('The webhook')) webhookId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<void> {
    await this.deleteWebhook.execute({ tenantId: ownTenant(principal), webhookId, change });
  }
}
