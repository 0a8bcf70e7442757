import { AuditModule } from '@keyward/audit';
import { Module } from '@nestjs/common';
import { PolicyRepository } from './policy.repository';
import { GetPolicyUseCase } from './use-cases/get-policy.use-case';
import { PutPolicyUseCase } from './use-cases/put-policy.use-case';

@Module({
  imports: [AuditModule],
  providers: [PolicyRepository, GetPolicyUseCase, PutPolicyUseCase],
  exports: [PolicyRepository, GetPolicyUseCase, PutPolicyUseCase],
})
export class PolicyModule {}
