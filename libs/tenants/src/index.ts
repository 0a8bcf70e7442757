export * from './domain/tenant';
export * from './tenants.module';
export * from './use-cases/change-tenant-status.use-case';
export * from './use-cases/create-tenant.use-case';
export * from './use-cases/get-tenant.use-case';
export * from './use-cases/list-tenants.use-case';
