import { Module } from '@nestjs/common';
import { JobsQueueModule } from './jobs-queue.module';
import { GetJobUseCase } from './use-cases/get-job.use-case';
import { RunJobNowUseCase } from './use-cases/run-job-now.use-case';

@Module({
  imports: [JobsQueueModule],
  providers: [RunJobNowUseCase, GetJobUseCase],
  exports: [RunJobNowUseCase, GetJobUseCase, JobsQueueModule],
})
export class JobsModule {}
