// Announces an event to the tenant's webhook subscribers by writing one delivery per matching
// subscription in the caller's transaction (a transactional outbox): the worker delivers what
// committed, and nothing that rolled back. The body is fixed here, as Standard Webhooks sends it.
// Each delivery keeps the trace of the request that wrote it, which its sending continues
// (docs/operations.md, Tracing).
import type { JsonValue } from '@keyward/audit';
import { currentTraceparent, type TenantTx } from '@keyward/platform';
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
  enqueue(tx: TenantTx, event: WebhookEvent, occurredAt = new Date()): Promise<number> {
    return this.enqueueAll(tx, [event], occurredAt);
  }

  /** Queues several events in one statement (a batch of revocations), each as `enqueue` does. */
  async enqueueAll(tx: TenantTx, events: readonly WebhookEvent[], occurredAt = new Date()): Promise<number> {
    if (events.length === 0) return 0;
    const timestamp = occurredAt.toISOString();
    const bodies = events.map((event) => JSON.stringify({ type: event.type, timestamp, data: event.data }));
    const rows: Array<{ id: string }> = await tx.manager.query(
      `INSERT INTO webhook_deliveries (tenant_id, subscription_id, message_id, event_type, body, traceparent)
       SELECT s.tenant_id, s.id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.type, e.body, $4
         FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS e(type, body, n)
         JOIN webhook_subscriptions s ON s.tenant_id = $1 AND e.type = ANY (s.events)
        ORDER BY e.n, s.id
       RETURNING id`,
      [tx.tenantId, events.map((event) => event.type), bodies, currentTraceparent()],
    );
    return rows.length;
  }
}
