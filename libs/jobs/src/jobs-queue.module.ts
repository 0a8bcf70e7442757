import { KEYWARD_CONFIG, redisOptionsFromUrl, type KeywardConfig } from '@keyward/platform';
import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { SCHEDULED_JOBS, WEBHOOK_DELIVERY_QUEUE } from './job-names';

const QUEUES = [...SCHEDULED_JOBS, WEBHOOK_DELIVERY_QUEUE, 'housekeeping'].map((name) => BullModule.registerQueue({ name }));

/** BullMQ's connection and every queue: the worker processes them, the admin API enqueues and reads. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [KEYWARD_CONFIG],
      useFactory: (config: KeywardConfig) => ({
        // Options, not a connection: BullMQ then owns its connections and closes them on shutdown.
        // Its blocking connections must wait for Redis, not fail fast.
        connection: { ...redisOptionsFromUrl(config.redisUrl), connectionName: 'keyward-bullmq', maxRetriesPerRequest: null },
        prefix: `${config.redisKeyPrefix}bull`,
      }),
    }),
    ...QUEUES,
  ],
  exports: QUEUES,
})
export class JobsQueueModule {}
