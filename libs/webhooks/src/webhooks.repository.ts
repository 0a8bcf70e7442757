import { decodeCursor, toPage, type Page, type TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { Webhook } from './domain/webhook';
import type { WebhookEventType } from './domain/webhook-events';
import { WebhookEntity } from './webhook.entity';

export interface NewWebhook {
  id: string;
  url: string;
  events: WebhookEventType[];
  sealedSecret: Buffer;
}

interface WebhookRow {
  id: string;
  tenant_id: string;
  url: string;
  events: WebhookEventType[];
  created_at: Date;
}

/** Every column but the sealed secret: no answer of this repository carries it. */
const VISIBLE_COLUMNS = 'id, tenant_id, url, events, created_at';

function toWebhook(row: WebhookRow): Webhook {
  return { id: row.id, tenantId: row.tenant_id, url: row.url, events: row.events, createdAt: row.created_at };
}

@Injectable()
export class WebhooksRepository {
  async insert(tx: TenantTx, fields: NewWebhook): Promise<Webhook> {
    const result = await tx.manager
      .createQueryBuilder()
      .insert()
      .into(WebhookEntity)
      .values({ ...fields, tenantId: tx.tenantId })
      .returning(VISIBLE_COLUMNS)
      .execute();
    return toWebhook((result.raw as WebhookRow[])[0]);
  }

  async list(tx: TenantTx, limit: number, cursor?: string): Promise<Page<Webhook>> {
    const query = tx.manager
      .createQueryBuilder(WebhookEntity, 'w')
      .where('w.tenant_id = :tenantId', { tenantId: tx.tenantId })
      .orderBy('w.created_at', 'ASC')
      .addOrderBy('w.id', 'ASC')
      .limit(limit + 1);
    if (cursor) query.andWhere('(w.created_at, w.id) > (:createdAt, :id)', decodeCursor(cursor));
    return toPage(await query.getMany(), limit);
  }

  /** Deletes the tenant's webhook and returns what it was, or null when it has none of this id. */
  async delete(tx: TenantTx, id: string): Promise<Webhook | null> {
    const result = await tx.manager
      .createQueryBuilder()
      .delete()
      .from(WebhookEntity)
      .where('tenant_id = :tenantId AND id = :id', { tenantId: tx.tenantId, id })
      .returning(VISIBLE_COLUMNS)
      .execute();
    const [row] = result.raw as WebhookRow[];
    return row ? toWebhook(row) : null;
  }
}
