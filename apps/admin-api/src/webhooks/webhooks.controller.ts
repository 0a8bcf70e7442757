import { ownTenant } from '../own-tenant';
import {
  Allow,
  ApiProblems,
  CurrentChange,
  CurrentPrincipal,
  ListQueryDto,
  ParseIdPipe,
  type ChangeContext,
  type Principal,
} from '@keyward/platform';
import { CreateWebhookUseCase, DeleteWebhookUseCase, ListWebhookDeliveriesUseCase, ListWebhooksUseCase } from '@keyward/webhooks';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import {
  CreatedWebhookResource,
  toCreatedWebhookResource,
  toWebhookDeliveryResource,
  toWebhookResource,
  WebhookDeliveryPage,
  WebhookPage,
} from './webhook.resource';

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
    private readonly listDeliveries: ListWebhookDeliveriesUseCase,
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

  @Get(':webhookId/deliveries')
  @ApiOkResponse({ type: WebhookDeliveryPage, description: "The webhook's deliveries, oldest first" })
  @ApiProblems(400, 404)
  async deliveries(
    @Param('webhookId', new ParseIdPipe('The webhook')) webhookId: string,
    @Query() query: ListQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<WebhookDeliveryPage> {
    const page = await this.listDeliveries.execute({ tenantId: ownTenant(principal), webhookId, ...query });
    return { data: page.data.map(toWebhookDeliveryResource), nextCursor: page.nextCursor };
  }
}
