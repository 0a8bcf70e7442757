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
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiTenantRouteProblems, BODY_PROBLEMS } from '../admin-api.openapi';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import {
  CreatedWebhookResource,
  toCreatedWebhookResource,
  toWebhookDeliveryResource,
  toWebhookResource,
  WebhookDeliveryPage,
  WebhookPage,
} from './webhook.resource';

const WEBHOOK_ID_PARAM = { name: 'webhookId', format: 'uuid', description: "The webhook's id" };
const WEBHOOK_NOT_FOUND = { code: 'NOT_FOUND', detail: 'The webhook was not found.' } as const;

/** Admins only: a webhook sends the tenant's key events to a URL, which auditors may not choose. */
@ApiTags('webhooks')
@ApiTenantRouteProblems()
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
  @ApiOperation({
    operationId: 'createWebhook',
    summary: 'Subscribe a URL to key events',
    description:
      'Events of the types given are POSTed to the URL as Standard Webhooks (webhook-id, webhook-timestamp and ' +
      'webhook-signature headers), signed with the secret in this response, which is shown only here; a delivery that ' +
      'gets no 2xx answer is retried with exponential backoff for at least 24 hours. Audited as webhook.created.',
  })
  @ApiBody({
    type: CreateWebhookDto,
    examples: {
      webhook: {
        summary: 'Expiring and revoked keys',
        value: { url: 'https://hooks.example.com/keyward', events: ['key.expiring', 'key.revoked'] },
      },
    },
  })
  @ApiCreatedResponse({ type: CreatedWebhookResource, description: 'The webhook, with its signing secret (shown this once)' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'url', message: 'must use https' }] }, ...BODY_PROBLEMS)
  async create(
    @Body() body: CreateWebhookDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<CreatedWebhookResource> {
    const created = await this.createWebhook.execute({ tenantId: ownTenant(principal), url: body.url, events: body.events, change });
    return toCreatedWebhookResource(created);
  }

  @Get()
  @ApiOperation({
    operationId: 'listWebhooks',
    summary: "List your tenant's webhooks",
    description: "The caller's tenant's webhooks, a page at a time; never their secrets.",
  })
  @ApiOkResponse({ type: WebhookPage, description: 'A page of webhooks' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'limit', message: 'must not be greater than 100' }] })
  async list(@Query() query: ListQueryDto, @CurrentPrincipal() principal: Principal): Promise<WebhookPage> {
    const page = await this.listWebhooks.execute({ tenantId: ownTenant(principal), ...query });
    return { data: page.data.map(toWebhookResource), nextCursor: page.nextCursor };
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteWebhook',
    summary: 'Delete a webhook',
    description: 'Deletes the webhook: nothing more is delivered to its URL. Audited as webhook.deleted.',
  })
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(WEBHOOK_NOT_FOUND)
  async delete(
    @Param('webhookId', new ParseIdPipe('The webhook')) webhookId: string,
    @CurrentPrincipal() principal: Principal,
    @CurrentChange() change: ChangeContext,
  ): Promise<void> {
    await this.deleteWebhook.execute({ tenantId: ownTenant(principal), webhookId, change });
  }

  @Get(':webhookId/deliveries')
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: "List a webhook's deliveries",
    description: "The webhook's deliveries, oldest first, a page at a time: each event, its state, its attempts and the last answer.",
  })
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiOkResponse({ type: WebhookDeliveryPage, description: 'A page of deliveries' })
  @ApiProblems({ code: 'VALIDATION_FAILED', errors: [{ field: 'limit', message: 'must not be greater than 100' }] }, WEBHOOK_NOT_FOUND)
  async deliveries(
    @Param('webhookId', new ParseIdPipe('The webhook')) webhookId: string,
    @Query() query: ListQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<WebhookDeliveryPage> {
    const page = await this.listDeliveries.execute({ tenantId: ownTenant(principal), webhookId, ...query });
    return { data: page.data.map(toWebhookDeliveryResource), nextCursor: page.nextCursor };
  }
}
