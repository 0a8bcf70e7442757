export * from './audit-appender';
export * from './audit.module';
export * from './domain/audit-event';
export * from './domain/hash-chain';
export * from './use-cases/list-audit-events.use-case';
export * from './use-cases/verify-audit-chain.use-case';
export * from './use-cases/export-audit-events.use-case';
