export * from './job-names';
export * from './jobs-queue.module';
export * from './jobs.module';
export * from './use-cases/get-job.use-case';
export * from './use-cases/run-job-now.use-case';
export * from './use-cases/get-queues-overview.use-case';
export * from './use-cases/retry-job.use-case';
