// Announces an event to the tenant's webhook subscribers by writing one delivery per matching
// subscription in the caller's transaction (a transactional outbox): the worker delivers what
// committed, and nothing that rolled back. The body is fixed here, as Standard Webhooks sends it.
import type { JsonValue } from '@keyward/audit';
import type { TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { WebhookEventType } from '../domain/webhook-events';

export interface WebhookEvent {
  type: WebhookEventType;
  /** What the receiver needs to know. Never a secret: no key, token or hash belongs here. */
  data: { [name: string]: JsonValue };
}

@Injectable()
export class WebhookOutbox {
  /** Queues `event` for every subscription of the tenant that asked for its type; returns how many. */
  async enqueue(tx: TenantTx, event: WebhookEvent, occurredAt = new Date()): Promise<number> {
    const body = JSON.stringify({ type: event.type, timestamp: occurredAt.toISOString(), data: event.data });
    const rows: Array<{ id: string }> = await tx.manager.query(
      `INSERT INTO webhook_deliveries (tenant_id, subscription_id, message_id, event_type, body)
       SELECT s.tenant_id, s.id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), $2, $3
         FROM webhook_subscriptions s
        WHERE s.tenant_id = $1 AND $2 = ANY (s.events)
       RETURNING id`,
      [tx.tenantId, event.type, body],
    );
    return rows.length;
  }
}
