import { Module } from '@nestjs/common';
import { JobQueues } from './job-queues';
import { GetJobUseCase } from './use-cases/get-job.use-case';
import { GetQueuesOverviewUseCase } from './use-cases/get-queues-overview.use-case';
import { RetryJobUseCase } from './use-cases/retry-job.use-case';
import { RunJobNowUseCase } from './use-cases/run-job-now.use-case';

/** The admin API's use of the queues: run now, states, the dashboard's overview and retry. */
@Module({
  providers: [JobQueues, RunJobNowUseCase, GetJobUseCase, GetQueuesOverviewUseCase, RetryJobUseCase],
  exports: [RunJobNowUseCase, GetJobUseCase, GetQueuesOverviewUseCase, RetryJobUseCase],
})
export class JobsModule {}
