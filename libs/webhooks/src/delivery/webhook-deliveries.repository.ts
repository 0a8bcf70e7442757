import { decodeCursor, toPage, type Page, type TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { WebhookEventType } from '../domain/webhook-events';
import type { ClaimedDelivery, RecordedAttempt, WebhookDelivery, WebhookDeliveryStatus } from './webhook-delivery';

interface DeliveryRow {
  id: string;
  event_type: WebhookEventType;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date;
  created_at: Date;
}

interface ClaimedRow {
  id: string;
  tenant_id: string;
  subscription_id: string;
  message_id: string;
  body: string;
  attempts: number;
  created_at: Date;
  traceparent: string | null;
}

/** What a delivery is sent to: the subscription's URL and its sealed signing secret. */
export interface DeliverySubscription {
  readonly url: string;
  readonly sealedSecret: Buffer;
}

/** last_error is for operators reading the table; it never needs more than this. */
const LAST_ERROR_MAX_LENGTH = 500;

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
    createdAt: row.created_at,
  };
}

@Injectable()
export class WebhookDeliveriesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Pending deliveries of every tenant, and how long the most overdue has been due (0 when none is). */
  async backlog(): Promise<{ pending: number; overdueSeconds: number }> {
    const [row]: { pending: string; overdue_seconds: number }[] = await this.dataSource.query('SELECT * FROM keyward_webhook_backlog()');
    return { pending: Number(row.pending), overdueSeconds: Number(row.overdue_seconds) };
  }

  /**
   * Takes up to `limit` due deliveries of every tenant and moves each one's next attempt
   * `leaseSeconds` ahead, so that no other run takes it meanwhile and a crashed worker's
   * deliveries come due again. Across tenants, hence through a SECURITY DEFINER function.
   */
  async claimDue(limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]> {
    const rows: ClaimedRow[] = await this.dataSource.query('SELECT * FROM keyward_claim_webhook_deliveries($1, $2)', [limit, leaseSeconds]);
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      subscriptionId: row.subscription_id,
      messageId: row.message_id,
      body: row.body,
      attempts: row.attempts,
      createdAt: row.created_at,
      traceparent: row.traceparent,
    }));
  }

  /** The tenant's subscription, with its sealed secret; null once it has been deleted. */
  async findSubscription(tx: TenantTx, subscriptionId: string): Promise<DeliverySubscription | null> {
    const [row]: Array<{ url: string; sealed_secret: Buffer }> = await tx.manager.query(
      'SELECT url, sealed_secret FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2',
      [tx.tenantId, subscriptionId],
    );
    return row ? { url: row.url, sealedSecret: row.sealed_secret } : null;
  }

  async subscriptionExists(tx: TenantTx, subscriptionId: string): Promise<boolean> {
    const rows: unknown[] = await tx.manager.query('SELECT 1 FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2', [
      tx.tenantId,
      subscriptionId,
    ]);
    return rows.length > 0;
  }

  /**
   * Records an attempt of a claimed delivery. The attempt count it was claimed with is the fence:
   * when a lease ran out and another run recorded the delivery meanwhile, this record changes
   * nothing and answers false.
   */
  async recordAttempt(tx: TenantTx, delivery: ClaimedDelivery, attempt: RecordedAttempt): Promise<boolean> {
    const rows: unknown[] = await tx.manager.query(
      `UPDATE webhook_deliveries
          SET status = $4, attempts = attempts + 1, last_status_code = $5, last_error = $6,
              next_attempt_at = coalesce($7, next_attempt_at), updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND attempts = $3
       RETURNING 1`,
      [
        tx.tenantId,
        delivery.id,
        delivery.attempts,
        attempt.status,
        attempt.statusCode,
        attempt.error?.slice(0, LAST_ERROR_MAX_LENGTH) ?? null,
        attempt.nextAttemptAt,
      ],
    );
    return rows.length > 0;
  }

  /** The subscription's deliveries, oldest first. */
  async listForSubscription(tx: TenantTx, subscriptionId: string, limit: number, cursor?: string): Promise<Page<WebhookDelivery>> {
    const params: unknown[] = [tx.tenantId, subscriptionId, limit + 1];
    let after = '';
    if (cursor) {
      const position = decodeCursor(cursor);
      params.push(position.createdAt, position.id);
      after = 'AND (created_at, id) > ($4, $5)';
    }
    const rows: DeliveryRow[] = await tx.manager.query(
      `SELECT id, event_type, status, attempts, last_status_code, last_error, next_attempt_at, created_at
         FROM webhook_deliveries
        WHERE tenant_id = $1 AND subscription_id = $2 ${after}
        ORDER BY created_at, id
        LIMIT $3`,
      params,
    );
    return toPage(rows.map(toDelivery), limit);
  }
}
