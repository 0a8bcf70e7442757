import { JobsQueueModule } from '@keyward/jobs';
import { KeysModule } from '@keyward/keys';
import { PlatformModule, PurgeIdempotencyRecordsUseCase, type PlatformOptions } from '@keyward/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { HousekeepingProcessor, HousekeepingSchedule } from './housekeeping.processor';
import { JobMetrics } from './job-metrics';
import { JobSchedules } from './job-schedules';
import { RotationProcessor } from './rotation.processor';
import { WorkerOpsServer } from './worker-ops-server';

export type WorkerOptions = Omit<PlatformOptions, 'service' | 'withOperationsRoutes'>;

@Module({})
export class WorkerModule {
  static forRoot(options: WorkerOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot({ ...options, service: 'worker', withOperationsRoutes: false }),
        JobsQueueModule,
        KeysModule,
      ],
      providers: [JobMetrics, PurgeIdempotencyRecordsUseCase, HousekeepingProcessor, HousekeepingSchedule, JobSchedules, RotationProcessor, WorkerOpsServer],
    };
  }
}
