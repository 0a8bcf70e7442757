import { InvalidationSubscriber, type InvalidationListener, type InvalidationMessage } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { VerifyMetrics } from './verify-metrics';

/** Measures how long changes take from the admin API to this process. */
@Injectable()
export class InvalidationLag implements InvalidationListener {
  constructor(
    private readonly metrics: VerifyMetrics,
    subscriber: InvalidationSubscriber,
  ) {
    subscriber.register(this);
  }

  onInvalidation(message: InvalidationMessage): void {
    if (message.sentAt !== undefined) this.metrics.invalidationLag.observe(Math.max(0, Date.now() - message.sentAt) / 1000);
  }

  onSubscriptionGap(): void {
    // nothing to measure
  }
}
