import { AuditModule } from '@keyward/audit';
import { CredentialsModule } from '@keyward/credentials';
import { JobsModule } from '@keyward/jobs';
import { KeysModule } from '@keyward/keys';
import { AccessGuard, AdminRateLimitGuard, IdempotencyInterceptor, PlatformModule, type PlatformOptions } from '@keyward/platform';
import { PolicyModule } from '@keyward/policy';
import { TenantsModule } from '@keyward/tenants';
import { WebhooksModule } from '@keyward/webhooks';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AdminReadiness } from './admin-readiness';
import { BearerAuthGuard } from './auth/bearer-auth.guard';
import { BearerStrategy } from './auth/bearer.strategy';
import { AuditController } from './audit/audit.controller';
import { CredentialsController } from './credentials/credentials.controller';
import { TenantCredentialsController } from './credentials/tenant-credentials.controller';
import { JobsController } from './jobs/jobs.controller';
import { KeyLeaksController } from './keys/key-leaks.controller';
import { KeyCreditsController } from './keys/key-credits.controller';
import { KeysController } from './keys/keys.controller';
import { OwnersController } from './owners/owners.controller';
import { PolicyController } from './policy/policy.controller';
import { ReportsController } from './reports/reports.controller';
import { RolesController } from './roles/roles.controller';
import { GithubPublicKeys } from './secret-scanning/github-public-keys';
import { LeakReports } from './secret-scanning/leak-reports';
import { SecretScanningController } from './secret-scanning/secret-scanning.controller';
import { SigningKeysController } from './signing-keys/signing-keys.controller';
import { TenantsController } from './tenants/tenants.controller';
import { WebhooksController } from './webhooks/webhooks.controller';

export type AdminApiOptions = Omit<PlatformOptions, 'service'>;

@Module({})
export class AdminApiModule {
  static forRoot(options: AdminApiOptions): DynamicModule {
    return {
      module: AdminApiModule,
      imports: [
        PlatformModule.forRoot({ ...options, service: 'admin-api' }),
        PassportModule,
        TenantsModule,
        CredentialsModule,
        AuditModule,
        KeysModule,
        PolicyModule,
        WebhooksModule,
        JobsModule,
      ],
      controllers: [
        TenantsController,
        TenantCredentialsController,
        CredentialsController,
        AuditController,
        KeysController,
        KeyLeaksController,
        SecretScanningController,
        KeyCreditsController,
        OwnersController,
        PolicyController,
        ReportsController,
        WebhooksController,
        JobsController,
        RolesController,
        SigningKeysController,
      ],
      providers: [
        // Global guards run in this order: who is calling, how often, and may they.
        BearerStrategy,
        BearerAuthGuard,
        { provide: APP_GUARD, useExisting: BearerAuthGuard },
        { provide: APP_GUARD, useClass: AdminRateLimitGuard },
        { provide: APP_GUARD, useClass: AccessGuard },
        IdempotencyInterceptor,
        AdminReadiness,
        GithubPublicKeys,
        LeakReports,
      ],
    };
  }
}
