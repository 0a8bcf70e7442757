import { createRedisConnection, KEYWARD_CONFIG, redisOptionsFromUrl, type KeywardConfig, type RedisClient } from '@keyward/platform';
import { BullModule } from '@nestjs/bullmq';
import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { SCHEDULED_JOBS, WEBHOOK_DELIVERY_QUEUE } from './job-names';

const QUEUES = [...SCHEDULED_JOBS, WEBHOOK_DELIVERY_QUEUE, 'housekeeping'].map((name) => BullModule.registerQueue({ name }));

/**
 * BullMQ's key prefix. The braces make it every queue key's hash tag, so that each queue's keys
 * (which BullMQ's Lua scripts touch together) share one Redis Cluster slot. All queues share it,
 * and so one master: their traffic (a few scheduled runs, one webhook pass a second) is small.
 */
export function bullQueuePrefix(redisKeyPrefix: string): string {
  return `{${redisKeyPrefix}bull}`;
}

/**
 * What BullMQ connects with. One server: options, not a connection, so that BullMQ owns its
 * connections and closes them on shutdown. A Redis Cluster: BullMQ can only be handed one as a
 * connection, and never closes a connection it was handed, so this closes it on shutdown. Nest
 * shuts global modules down in the reverse of the order it found them: this provider, in
 * BullModule's root module (imported before the queues), closes after BullMQ's core module has
 * closed the workers (test/scale/redis-cluster.e2e-spec.ts stops a worker mid-run to check it).
 * Patient either way: blocking commands outlast any time-out.
 */
@Injectable()
export class BullConnection implements OnApplicationShutdown {
  readonly connection: ConnectionOptions;
  private readonly cluster?: RedisClient;

  constructor(@Inject(KEYWARD_CONFIG) config: KeywardConfig) {
    if (config.redis.mode === 'cluster') {
      this.cluster = createRedisConnection(config.redis, 'keyward-bullmq', { patient: true });
      // BullMQ listens for errors while it uses the connection; before and after, they are only
      // reconnection noise.
      this.cluster.on('error', () => undefined);
      this.connection = this.cluster;
    } else {
      this.connection = { ...redisOptionsFromUrl(config.redis.url), connectionName: 'keyward-bullmq', maxRetriesPerRequest: null };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cluster?.quit().catch(() => this.cluster?.disconnect());
  }
}

/** BullMQ's connection and every queue: the worker processes them, the admin API enqueues and reads. */
@Module({
  imports: [
    BullModule.forRootAsync({
      extraProviders: [BullConnection],
      inject: [KEYWARD_CONFIG, BullConnection],
      useFactory: (config: KeywardConfig, { connection }: BullConnection) => ({ connection, prefix: bullQueuePrefix(config.redisKeyPrefix) }),
    }),
    ...QUEUES,
  ],
  exports: QUEUES,
})
export class JobsQueueModule {}
