import { JobsQueueModule } from '@keyward/jobs';
import { KeysModule } from '@keyward/keys';
import { PlatformModule, PurgeIdempotencyRecordsUseCase, type PlatformOptions } from '@keyward/platform';
import { WebhookDeliveryModule } from '@keyward/webhooks';
import { Module, type DynamicModule } from '@nestjs/common';
import { HousekeepingProcessor, HousekeepingSchedule } from './housekeeping.processor';
import { JobDrain } from './job-drain';
import { JobMetrics } from './job-metrics';
import { JobSchedules } from './job-schedules';
import { ExpiryProcessor } from './expiry.processor';
import { RotationProcessor } from './rotation.processor';
import { UnusedAuditProcessor } from './unused-audit.processor';
import { WebhookDeliveryProcessor, WebhookDeliverySchedule } from './webhook-delivery.processor';
import { WorkerOpsServer } from './worker-ops-server';

export type WorkerOptions = Omit<PlatformOptions, 'service' | 'withOperationsRoutes'>;

@Module({})
export class WorkerModule {
  static forRoot(options: WorkerOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot({ ...options, service: 'worker', withOperationsRoutes: false, drainOnShutdown: false }),
        JobsQueueModule,
        KeysModule,
        WebhookDeliveryModule,
      ],
      providers: [JobMetrics, PurgeIdempotencyRecordsUseCase, HousekeepingProcessor, HousekeepingSchedule, JobSchedules, RotationProcessor, ExpiryProcessor, UnusedAuditProcessor, WebhookDeliveryProcessor, WebhookDeliverySchedule, WorkerOpsServer, JobDrain],
    };
  }
}
