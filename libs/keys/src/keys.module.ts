import { AuditModule } from '@keyward/audit';
import { PolicyModule } from '@keyward/policy';
import { Module } from '@nestjs/common';
import { KeysRepository } from './keys.repository';
import { CreateKeyUseCase } from './use-cases/create-key.use-case';
import { KeyInvalidation } from './use-cases/key-invalidation';
import { GetKeyUseCase, ListKeysUseCase } from './use-cases/read-keys.use-case';
import { RevokeKeyUseCase } from './use-cases/revoke-key.use-case';
import { RotateKeyUseCase } from './use-cases/rotate-key/rotate-key.use-case';
import { UpdateKeyUseCase } from './use-cases/update-key.use-case';

const USE_CASES = [CreateKeyUseCase, GetKeyUseCase, ListKeysUseCase, UpdateKeyUseCase, RotateKeyUseCase, RevokeKeyUseCase];

@Module({
  imports: [AuditModule, PolicyModule],
  providers: [KeysRepository, KeyInvalidation, ...USE_CASES],
  exports: USE_CASES,
})
export class KeysModule {}
