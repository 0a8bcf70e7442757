import { AuditModule } from '@keyward/audit';
import { PolicyModule } from '@keyward/policy';
import { WebhooksModule } from '@keyward/webhooks';
import { Module } from '@nestjs/common';
import { CreditsSeeder } from './counters/credits-seeder';
import { KeyCounters } from './counters/key-counters';
import { OwnersRepository } from './owners/owners.repository';
import { ChangeCreditsUseCase } from './use-cases/change-credits.use-case';
import { DeleteOwnerUseCase } from './use-cases/owners/delete-owner.use-case';
import { PutOwnerUseCase } from './use-cases/owners/put-owner.use-case';
import { GetOwnerUseCase, ListOwnersUseCase } from './use-cases/owners/read-owners.use-case';
import { KeyEscrowRepository } from './escrow/key-escrow.repository';
import { KeysRepository } from './keys.repository';
import { RevealKeyUseCase } from './use-cases/reveal-key.use-case';
import { RunScheduledRotationsUseCase } from './use-cases/run-scheduled-rotations.use-case';
import { KeyUsageRepository } from './usage/key-usage.repository';
import { GetKeyUsageUseCase } from './use-cases/get-key-usage.use-case';
import { KeyCountersAfterCommit } from './use-cases/key-counters-after-commit';
import { CreateKeyUseCase } from './use-cases/create-key.use-case';
import { KeyInvalidation } from './use-cases/key-invalidation';
import { GetKeyUseCase, ListKeysUseCase } from './use-cases/read-keys.use-case';
import { LookUpKeyUseCase, LookUpOwnerUseCase } from './use-cases/look-up-key.use-case';
import { RevokeKeyUseCase } from './use-cases/revoke-key.use-case';
import { RotateKeyUseCase } from './use-cases/rotate-key/rotate-key.use-case';
import { UpdateKeyUseCase } from './use-cases/update-key.use-case';
import { AuditUnusedKeysUseCase } from './use-cases/audit-unused-keys/audit-unused-keys.use-case';
import { GetUnusedKeyReportUseCase } from './use-cases/audit-unused-keys/get-unused-key-report.use-case';
import { UnusedKeysRepository } from './use-cases/audit-unused-keys/unused-keys.repository';
import { RolesRepository } from './roles/roles.repository';
import { DeleteRoleUseCase } from './use-cases/roles/delete-role.use-case';
import { PutRoleUseCase } from './use-cases/roles/put-role.use-case';
import { GetRoleUseCase, ListRolesUseCase, LookUpRoleUseCase } from './use-cases/roles/read-roles.use-case';
import { RoleInvalidation } from './use-cases/roles/role-invalidation';
import { ExpireKeysUseCase } from './use-cases/expire-keys/expire-keys.use-case';
import { KeyStateChanges } from './use-cases/key-state-changes';
import { LeakedKeysRepository } from './use-cases/leaked-keys/leaked-keys.repository';
import { ReportKeyLeaksUseCase } from './use-cases/leaked-keys/report-key-leaks.use-case';
import { KeyExpiryRepository } from './use-cases/expire-keys/key-expiry.repository';
import { SendUsageSignalsUseCase } from './use-cases/usage-signals/send-usage-signals.use-case';
import { UsageSignalsRepository } from './use-cases/usage-signals/usage-signals.repository';

const USE_CASES = [
  CreateKeyUseCase,
  GetKeyUseCase,
  ListKeysUseCase,
  UpdateKeyUseCase,
  RotateKeyUseCase,
  RevokeKeyUseCase,
  LookUpKeyUseCase,
  LookUpOwnerUseCase,
  ChangeCreditsUseCase,
  PutOwnerUseCase,
  GetOwnerUseCase,
  ListOwnersUseCase,
  DeleteOwnerUseCase,
  GetKeyUsageUseCase,
  RevealKeyUseCase,
  RunScheduledRotationsUseCase,
  ExpireKeysUseCase,
  AuditUnusedKeysUseCase,
  GetUnusedKeyReportUseCase,
  PutRoleUseCase,
  GetRoleUseCase,
  ListRolesUseCase,
  DeleteRoleUseCase,
  LookUpRoleUseCase,
  ReportKeyLeaksUseCase,
  SendUsageSignalsUseCase,
];

@Module({
  imports: [AuditModule, PolicyModule, WebhooksModule],
  providers: [
    KeysRepository,
    KeyEscrowRepository,
    KeyUsageRepository,
    KeyInvalidation,
    KeyCounters,
    CreditsSeeder,
    OwnersRepository,
    KeyCountersAfterCommit,
    KeyExpiryRepository,
    UnusedKeysRepository,
    RolesRepository,
    RoleInvalidation,
    KeyStateChanges,
    LeakedKeysRepository,
    UsageSignalsRepository,
    ...USE_CASES,
  ],
  exports: [KeyCounters, CreditsSeeder, KeyUsageRepository, OwnersRepository, KeyInvalidation, ...USE_CASES],
})
export class KeysModule {}
