import { AuditModule } from '@keyward/audit';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CredentialEntity } from './credential.entity';
import { CredentialsRepository } from './credentials.repository';
import { AuthenticateCredentialUseCase } from './use-cases/authenticate-credential.use-case';
import { IssueCredentialUseCase } from './use-cases/issue-credential.use-case';
import { ListCredentialsUseCase } from './use-cases/list-credentials.use-case';
import { RevokeCredentialUseCase } from './use-cases/revoke-credential.use-case';
import { RevokeLeakedCredentialsUseCase } from './use-cases/revoke-leaked-credentials.use-case';
import { TenantPresence } from './use-cases/tenant-presence';

const USE_CASES = [
  AuthenticateCredentialUseCase,
  IssueCredentialUseCase,
  ListCredentialsUseCase,
  RevokeCredentialUseCase,
  RevokeLeakedCredentialsUseCase,
];

@Module({
  imports: [TypeOrmModule.forFeature([CredentialEntity]), AuditModule],
  providers: [CredentialsRepository, TenantPresence, ...USE_CASES],
  exports: USE_CASES,
})
export class CredentialsModule {}
