import { createRedisConnection, KEYWARD_CONFIG, redisOptionsFromUrl, type KeywardConfig, type RedisClient } from '@keyward/platform';
import { BullModule } from '@nestjs/bullmq';
import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { bullQueuePrefix } from './bull-prefix';
import { ALL_QUEUES } from './job-names';

const QUEUES = ALL_QUEUES.map((name) => BullModule.registerQueue({ name }));

export { bullQueuePrefix } from './bull-prefix';

/**
 * How soon BullMQ's connections try again after losing Redis: at most 2 s apart (BullMQ's own
 * default grows to 20 s, so a worker could stay idle that long after Redis was back).
 */
const reconnectDelay = (attempt: number): number => Math.min(attempt * 200, 2000);

/**
 * What BullMQ connects with. One server: options, not a connection, so that BullMQ owns its
 * connections and closes them on shutdown. A Redis Cluster: BullMQ can only be handed one as a
 * connection, and never closes a connection it was handed, so this closes it on shutdown. Nest
 * shuts global modules down in the reverse of the order it found them: this provider, in
 * BullModule's root module (imported before the queues), closes after BullMQ's core module has
 * closed the workers (test/scale/redis-cluster.e2e-spec.ts stops a worker mid-run to check it).
 * Patient either way: blocking commands outlast any time-out. The worker's; the admin API enqueues
 * and reads through JobQueues (job-queues.ts), which must answer in time.
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
      this.connection = {
        ...redisOptionsFromUrl(config.redis.url),
        connectionName: 'keyward-bullmq',
        maxRetriesPerRequest: null,
        retryStrategy: reconnectDelay,
      };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cluster?.quit().catch(() => this.cluster?.disconnect());
  }
}

/** BullMQ's connection and every queue, for the worker, which processes them and keeps their schedules. */
@Module({
  imports: [
    BullModule.forRootAsync({
      extraProviders: [BullConnection],
      inject: [KEYWARD_CONFIG, BullConnection],
      useFactory: (config: KeywardConfig, { connection }: BullConnection) => ({
        connection,
        prefix: bullQueuePrefix(config.redisKeyPrefix),
      }),
    }),
    ...QUEUES,
  ],
  exports: QUEUES,
})
export class JobsQueueModule {}
