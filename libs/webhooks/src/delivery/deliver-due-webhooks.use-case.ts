// The worker's delivery pass: claims due deliveries of every tenant, sends each one signed as
// Standard Webhooks says, and records the attempt in the tenant's own transaction. Each delivery is
// traced as a child of the request that announced its event, and its POST carries that trace on
// in `traceparent` (docs/operations.md, Tracing).
import { inSpan, KEYWARD_CONFIG, SecretBox, TenantTransactions, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { WEBHOOK_ADDRESS_RESOLVER } from '../dns-address-resolver';
import { webhookSecretAssociatedData } from '../domain/webhook-secret';
import type { AddressResolver } from '../domain/webhook-url';
import { checkDeliveryTarget } from './delivery-target';
import { afterFailedAttempt } from './retry-schedule';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import type { AttemptResult, ClaimedDelivery, RecordedAttempt } from './webhook-delivery';
import { WebhookDeliveryMetrics, type AttemptOutcome } from './webhook-delivery-metrics';
import { WebhookSender } from './webhook-sender';
import { deliveryHeaders } from './webhook-signature';

/** A receiver gets 10 s to answer (docs/api.md, Webhooks). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Deliveries claimed at once; they are sent in parallel. */
const BATCH_SIZE = 25;
/**
 * How long a claim holds a delivery. Well above the longest attempt (DNS time-out, 10 s request,
 * recording), so a live worker never loses one; a crashed worker's come due again after it.
 */
export const CLAIM_LEASE_SECONDS = 60;
/** A pass stops claiming new batches after this, so the schedule's next run shares the work. */
const PASS_BUDGET_MS = 5_000;

export interface DeliveryPassReport {
  attempted: number;
  succeeded: number;
  retrying: number;
  failed: number;
}

@Injectable()
export class DeliverDueWebhooksUseCase {
  private readonly logger = new Logger(DeliverDueWebhooksUseCase.name);

  constructor(
    private readonly transactions: TenantTransactions,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly sender: WebhookSender,
    private readonly secretBox: SecretBox,
    private readonly metrics: WebhookDeliveryMetrics,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    @Inject(WEBHOOK_ADDRESS_RESOLVER) private readonly resolveAddresses: AddressResolver,
  ) {}

  /** Delivers what is due, batch by batch, until nothing is due or the pass's time is up. */
  async execute(): Promise<DeliveryPassReport> {
    const report: DeliveryPassReport = { attempted: 0, succeeded: 0, retrying: 0, failed: 0 };
    const startedAt = Date.now();
    for (;;) {
      const claimed = await this.deliveries.claimDue(BATCH_SIZE, CLAIM_LEASE_SECONDS);
      const recorded = await Promise.all(claimed.map((delivery) => this.deliverSafely(delivery)));
      for (const attempt of recorded) {
        if (!attempt) continue;
        report.attempted++;
        if (attempt.status === 'succeeded') report.succeeded++;
        else if (attempt.status === 'pending') report.retrying++;
        else report.failed++;
      }
      if (claimed.length < BATCH_SIZE || Date.now() - startedAt > PASS_BUDGET_MS) return report;
    }
  }

  /**
   * One delivery; never rejects, so one bad delivery cannot stop the others. What it could not
   * record stays claimed until the lease ends, then comes due again.
   */
  private async deliverSafely(delivery: ClaimedDelivery): Promise<RecordedAttempt | null> {
    try {
      const attributes = {
        'keyward.tenant_id': delivery.tenantId,
        'keyward.webhook_delivery_id': delivery.id,
        'keyward.attempt': delivery.attempts + 1,
      };
      return await inSpan('webhook delivery', { parent: delivery.traceparent, attributes }, () => this.deliver(delivery));
    } catch (error) {
      this.logger.error(
        { err: error, deliveryId: delivery.id, tenantId: delivery.tenantId },
        'Webhook delivery attempt could not be made or recorded',
      );
      return null;
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<RecordedAttempt | null> {
    const subscription = await this.transactions.run(delivery.tenantId, (tx) =>
      this.deliveries.findSubscription(tx, delivery.subscriptionId),
    );
    // Deleted meanwhile: its deliveries went with it (ON DELETE CASCADE).
    if (!subscription) return null;

    const started = process.hrtime.bigint();
    const { outcome, result } = await this.attempt(delivery, subscription.url, subscription.sealedSecret);
    this.metrics.recordAttempt(outcome, Number(process.hrtime.bigint() - started) / 1e9);

    const attempt = this.recordedAttempt(delivery, result, new Date());
    const recorded = await this.transactions.run(delivery.tenantId, (tx) => this.deliveries.recordAttempt(tx, delivery, attempt));
    if (!recorded) return null;
    if (attempt.status === 'failed') {
      this.metrics.recordGivenUp();
      this.logger.warn(
        { deliveryId: delivery.id, tenantId: delivery.tenantId, attempts: delivery.attempts + 1 },
        'Webhook delivery failed for good',
      );
    }
    return attempt;
  }

  private async attempt(
    delivery: ClaimedDelivery,
    rawUrl: string,
    sealedSecret: Buffer,
  ): Promise<{ outcome: AttemptOutcome; result: AttemptResult }> {
    const policy = { allowHttp: this.config.webhookAllowHttp, allowPrivate: this.config.webhookAllowPrivate };
    const target = await checkDeliveryTarget(rawUrl, policy, this.resolveAddresses);
    if (!target.allowed) return { outcome: 'refused', result: { succeeded: false, statusCode: null, error: target.reason } };

    let secret: string;
    try {
      secret = this.secretBox.open(sealedSecret, webhookSecretAssociatedData(delivery.subscriptionId)).toString('utf8');
    } catch (error) {
      this.logger.error(
        { err: error, deliveryId: delivery.id, subscriptionId: delivery.subscriptionId },
        'Webhook signing secret could not be opened',
      );
      return { outcome: 'error', result: { succeeded: false, statusCode: null, error: 'the signing secret could not be opened' } };
    }

    const headers = deliveryHeaders(secret, {
      messageId: delivery.messageId,
      timestamp: Math.floor(Date.now() / 1000),
      body: delivery.body,
    });
    const sent = await this.sender.post({
      url: target.url,
      addresses: target.addresses,
      headers,
      body: delivery.body,
      timeoutMs: DELIVERY_TIMEOUT_MS,
    });
    if (!sent.answered)
      return { outcome: sent.refused ? 'refused' : 'unreachable', result: { succeeded: false, statusCode: null, error: sent.reason } };
    if (sent.statusCode >= 200 && sent.statusCode < 300)
      return { outcome: 'succeeded', result: { succeeded: true, statusCode: sent.statusCode } };
    return { outcome: 'http_error', result: { succeeded: false, statusCode: sent.statusCode, error: `answered ${sent.statusCode}` } };
  }

  private recordedAttempt(delivery: ClaimedDelivery, result: AttemptResult, now: Date): RecordedAttempt {
    if (result.succeeded) return { status: 'succeeded', statusCode: result.statusCode, error: null, nextAttemptAt: null };
    const next = afterFailedAttempt(delivery.attempts + 1, delivery.createdAt, now);
    return {
      status: next.status,
      statusCode: result.statusCode,
      error: result.error,
      nextAttemptAt: next.status === 'pending' ? next.nextAttemptAt : null,
    };
  }
}
