import type { WebhookEventType } from '../domain/webhook-events';

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One event for one subscription, as the delivery log shows it (docs/api.md, Webhooks). */
export interface WebhookDelivery {
  readonly id: string;
  readonly eventType: WebhookEventType;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  readonly lastStatusCode: number | null;
  /**
   * Why the last attempt failed, in words that name no address ("answered 503", "timed out after
   * 10 s", "URL refused: ...", the sender's own refusal); null before any attempt and after a success.
   */
  readonly lastError: string | null;
  /** When it is tried next; null once it succeeded or failed for good. */
  readonly nextAttemptAt: Date | null;
  readonly createdAt: Date;
}

/** A due delivery that this worker now holds a lease on, with what it needs to send it. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  /** Sent as `webhook-id`: the same on every attempt. */
  readonly messageId: string;
  readonly body: string;
  /** Attempts recorded before this one; recording checks it did not change (see recordAttempt). */
  readonly attempts: number;
  readonly createdAt: Date;
  /** The trace of the request that announced the event (docs/operations.md, Tracing); null when it was not traced. */
  readonly traceparent: string | null;
}

/** How one attempt ended: a 2xx answer, or why not (a status, a time-out, a refused URL ...). */
export type AttemptResult = { succeeded: true; statusCode: number } | { succeeded: false; statusCode: number | null; error: string };

/** What the delivery log records for an attempt: its result and what becomes of the delivery. */
export interface RecordedAttempt {
  readonly status: WebhookDeliveryStatus;
  readonly statusCode: number | null;
  readonly error: string | null;
  /** Set when another attempt follows. */
  readonly nextAttemptAt: Date | null;
}
