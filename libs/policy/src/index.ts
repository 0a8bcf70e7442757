export * from './domain/tenant-policy';
export * from './policy.module';
export * from './policy.repository';
export * from './use-cases/get-policy.use-case';
export * from './use-cases/put-policy.use-case';
