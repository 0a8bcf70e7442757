// Cross-process cache invalidation (docs/api.md, Verify: changes are in force on every verify process within
// one second). Publishers send after commit; subscribers drop what they cached.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { KEYWARD_CONFIG } from '../config/config.tokens';
import type { KeywardConfig } from '../config/keyward-config';
import { ConnectionStateLog } from './connection-state-log';
import type { RedisClient } from './redis-connection';
import { REDIS_CLIENT } from './redis.tokens';

export type InvalidationMessage = (
  | { kind: 'credential'; id: string }
  | { kind: 'tenant'; id: string }
  | { kind: 'key'; id: string; tenantId: string }
  /** An owner record, by its owner id (docs/api.md, Owners). */
  | { kind: 'owner'; id: string; tenantId: string }
  | { kind: 'role'; tenantId: string; name: string }
  /** A purpose's signing key was replaced (docs/gateways.md, Signed principals). */
  | { kind: 'signing-key'; purpose: string }
) & {
  /** Epoch ms at which the publisher sent it (subscribers measure the lag). */
  sentAt?: number;
};

export function invalidationChannel(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}invalidations`;
}

@Injectable()
export class InvalidationPublisher {
  private readonly logger = new Logger(InvalidationPublisher.name);
  /** A line when publishing starts failing and one when it works again, not one per change. */
  private readonly state = new ConnectionStateLog(this.logger, 'Redis (invalidation messages)');
  private readonly channel: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
  ) {
    this.channel = invalidationChannel(config.redisKeyPrefix);
  }

  /**
   * Best effort: the change is already committed, so a Redis failure must not fail the request.
   * Subscribers' safety TTL bounds how long a missed message can leave a stale entry.
   *
   * A plain PUBLISH, also in a Redis Cluster, where it goes to any node and the cluster bus carries
   * it to every other, so each verify process hears it whichever node it subscribed on. Sharded
   * pub/sub (SPUBLISH, Redis 7) would spare the bus, but a handful of messages per admin change is
   * no load, and plain pub/sub works on every Redis this runs on, clustered or not.
   */
  async publish(message: InvalidationMessage): Promise<void> {
    try {
      await this.redis.publish(this.channel, JSON.stringify({ ...message, sentAt: Date.now() }));
      this.state.recovered();
    } catch (error) {
      this.state.failed(error, 'changes are not announced to the verify processes, whose caches drop entries after their safety TTL');
    }
  }
}
