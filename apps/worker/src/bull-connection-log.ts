// BullMQ's queues and workers report every failed reconnection attempt as an 'error' event: a
// queue without a listener for it prints each one to the console as a multi-line stack, and a
// listener that logged each would write a line per attempt. Here every one of them reports to one
// state log instead: a line when Redis is lost, one when it is back (docs/failure-modes.md).
import { HOUSEKEEPING_QUEUE, SCHEDULED_JOBS, WEBHOOK_DELIVERY_QUEUE } from '@keyward/jobs';
import { ConnectionStateLog, isRedisUnavailableError } from '@keyward/platform';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';

const [ROTATION, EXPIRY, UNUSED_AUDIT, SIGNALS] = SCHEDULED_JOBS;

@Injectable()
export class BullConnectionLog {
  private readonly logger = new Logger('BullMQ');
  private readonly state = new ConnectionStateLog(this.logger, 'Redis (job queues and workers)');

  // Every queue injected, so that this runs as soon as they exist: an 'error' with no listener is printed as a stack.
  constructor(
    @InjectQueue(ROTATION) rotation: Queue,
    @InjectQueue(EXPIRY) expiry: Queue,
    @InjectQueue(UNUSED_AUDIT) unusedAudit: Queue,
    @InjectQueue(SIGNALS) signals: Queue,
    @InjectQueue(WEBHOOK_DELIVERY_QUEUE) webhooks: Queue,
    @InjectQueue(HOUSEKEEPING_QUEUE) housekeeping: Queue,
  ) {
    for (const queue of [rotation, expiry, unusedAudit, signals, webhooks, housekeeping]) {
      queue.on('error', (error: unknown) => this.error(error, `queue ${queue.name}`));
      void queue.waitUntilReady().then(
        (client) => client.on('ready', () => this.state.recovered()),
        () => undefined,
      );
    }
  }

  /** An 'error' of a queue or worker: a lost connection once per outage, anything else as it comes. */
  error(error: unknown, source: string): void {
    if (isRedisUnavailableError(error)) this.state.failed(error);
    else this.logger.warn({ err: error, source }, 'Job queue error');
  }

  /** A worker's connection is up again. */
  ready(): void {
    this.state.recovered();
  }
}
