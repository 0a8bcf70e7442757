export * from './credentials.module';
export * from './domain/credential';
export * from './domain/credential-token';
export * from './use-cases/authenticate-credential.use-case';
export * from './use-cases/issue-credential.use-case';
export * from './use-cases/list-credentials.use-case';
export * from './use-cases/revoke-credential.use-case';
export * from './use-cases/revoke-leaked-credentials.use-case';
export type { LeakedCredentialMatch } from './credentials.repository';
