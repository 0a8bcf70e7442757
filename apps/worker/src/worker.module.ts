import { KEYWARD_CONFIG, PlatformModule, PurgeIdempotencyRecordsUseCase, redisOptionsFromUrl, type KeywardConfig, type PlatformOptions } from '@keyward/platform';
import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import { HOUSEKEEPING_QUEUE, HousekeepingProcessor, HousekeepingSchedule } from './housekeeping.processor';
import { WorkerOpsServer } from './worker-ops-server';

export type WorkerOptions = Omit<PlatformOptions, 'service' | 'withOperationsRoutes'>;

@Module({})
export class WorkerModule {
  static forRoot(options: WorkerOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot({ ...options, service: 'worker', withOperationsRoutes: false }),
        BullModule.forRootAsync({
          inject: [KEYWARD_CONFIG],
          useFactory: (config: KeywardConfig) => ({
            // Options, not a connection: BullMQ then owns its connections and closes them on shutdown.
            // Its blocking connections must wait for Redis, not fail fast.
            connection: { ...redisOptionsFromUrl(config.redisUrl), connectionName: 'keyward-bullmq', maxRetriesPerRequest: null },
            prefix: `${config.redisKeyPrefix}bull`,
          }),
        }),
        BullModule.registerQueue({ name: HOUSEKEEPING_QUEUE }),
      ],
      providers: [PurgeIdempotencyRecordsUseCase, HousekeepingProcessor, HousekeepingSchedule, WorkerOpsServer],
    };
  }
}
