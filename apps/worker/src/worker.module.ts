import { AuditModule } from '@keyward/audit';
import { JobsQueueModule } from '@keyward/jobs';
import { KeysModule } from '@keyward/keys';
import { PlatformModule, type PlatformOptions } from '@keyward/platform';
import { WebhookDeliveryModule } from '@keyward/webhooks';
import { Module, type DynamicModule } from '@nestjs/common';
import { AuditCheckpointMetrics } from './audit-checkpoint-metrics';
import { BullConnectionLog } from './bull-connection-log';
import { HousekeepingProcessor } from './housekeeping.processor';
import { JobDrain } from './job-drain';
import { JobMetrics } from './job-metrics';
import { EnforceRetention } from './retention';
import { ExpiryProcessor } from './expiry.processor';
import { RotationProcessor } from './rotation.processor';
import { ScheduleKeeper } from './schedule-keeper';
import { SignalsProcessor } from './signals.processor';
import { UnusedAuditProcessor } from './unused-audit.processor';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
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
        AuditModule,
        KeysModule,
        WebhookDeliveryModule,
      ],
      providers: [
        JobMetrics,
        AuditCheckpointMetrics,
        BullConnectionLog,
        EnforceRetention,
        HousekeepingProcessor,
        RotationProcessor,
        ExpiryProcessor,
        UnusedAuditProcessor,
        SignalsProcessor,
        WebhookDeliveryProcessor,
        ScheduleKeeper,
        WorkerOpsServer,
        JobDrain,
      ],
    };
  }
}
