import { Module } from '@nestjs/common';
import { JobsQueueModule } from './jobs-queue.module';
import { GetJobUseCase } from './use-cases/get-job.use-case';
import { GetQueuesOverviewUseCase } from './use-cases/get-queues-overview.use-case';
import { RetryJobUseCase } from './use-cases/retry-job.use-case';
import { RunJobNowUseCase } from './use-cases/run-job-now.use-case';

@Module({
  imports: [JobsQueueModule],
  providers: [RunJobNowUseCase, GetJobUseCase, GetQueuesOverviewUseCase, RetryJobUseCase],
  exports: [RunJobNowUseCase, GetJobUseCase, GetQueuesOverviewUseCase, RetryJobUseCase, JobsQueueModule],
})
export class JobsModule {}
