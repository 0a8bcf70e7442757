import { withTimeout } from '@keyward/platform';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * How an attempt ended: `succeeded` (2xx), `http_error` (another status), `unreachable` (no
 * answer, time-out included), `refused` (the URL rules said no, or the sender's loopback-only
 * guard), `error` (a fault of ours).
 */
export type AttemptOutcome = 'succeeded' | 'http_error' | 'unreachable' | 'refused' | 'error';

/** A scrape waits at most this long for PostgreSQL's backlog figures; past it they have no sample. */
const BACKLOG_TIMEOUT_MS = 1000;

/** Delivery figures on the worker's /metrics; the backlog is read from PostgreSQL when scraped. */
export class WebhookDeliveryMetrics {
  private readonly attempts: Counter<'outcome'>;
  private readonly duration: Histogram<'outcome'>;
  private readonly failed: Counter;

  constructor(registry: Registry, backlog: () => Promise<{ pending: number; overdueSeconds: number }>) {
    this.attempts = new Counter({
      name: 'keyward_webhook_delivery_attempts_total',
      help: 'Webhook delivery attempts, by outcome (succeeded, http_error, unreachable, refused, error)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'keyward_webhook_delivery_duration_seconds',
      help: 'Time of one webhook delivery attempt, from the URL check to the answer, by outcome',
      labelNames: ['outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    });
    this.failed = new Counter({
      name: 'keyward_webhook_deliveries_failed_total',
      help: 'Webhook deliveries given up after retrying for 24 hours',
      registers: [registry],
    });
    let reading: Promise<{ pending: number; overdueSeconds: number } | null> | undefined;
    /** One query for both gauges (a scrape collects them together). */
    const read = () =>
      (reading ??= withTimeout(backlog(), BACKLOG_TIMEOUT_MS, 'webhook backlog')
        .catch(() => null)
        .finally(() => (reading = undefined)));
    const backlogGauge = (name: string, help: string, pick: (figures: { pending: number; overdueSeconds: number }) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect(this: Gauge) {
          const figures = await read();
          this.reset();
          if (figures) this.set(pick(figures));
        },
      });
    backlogGauge(
      'keyward_webhook_deliveries_pending',
      'Webhook deliveries pending (due or waiting to retry), every tenant',
      (f) => f.pending,
    );
    backlogGauge(
      'keyward_webhook_delivery_overdue_seconds',
      'How long the most overdue pending webhook delivery has been due (0 when none is)',
      (f) => f.overdueSeconds,
    );
  }

  recordAttempt(outcome: AttemptOutcome, seconds: number): void {
    this.attempts.inc({ outcome });
    this.duration.observe({ outcome }, seconds);
  }

  recordGivenUp(): void {
    this.failed.inc();
  }
}
