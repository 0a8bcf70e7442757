import { AuditModule } from '@keyward/audit';
import { BearerAuthGuard, CredentialsModule } from '@keyward/credentials';
import { AccessGuard, AdminRateLimitGuard, IdempotencyInterceptor, PlatformModule, type PlatformOptions } from '@keyward/platform';
import { TenantsModule } from '@keyward/tenants';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditController } from './audit/audit.controller';
import { CredentialsController } from './credentials/credentials.controller';
import { TenantCredentialsController } from './credentials/tenant-credentials.controller';
import { TenantsController } from './tenants/tenants.controller';

export type AdminApiOptions = Omit<PlatformOptions, 'service'>;

@Module({})
export class AdminApiModule {
  static forRoot(options: AdminApiOptions): DynamicModule {
    return {
      module: AdminApiModule,
      imports: [PlatformModule.forRoot({ ...options, service: 'admin-api' }), TenantsModule, CredentialsModule, AuditModule],
      controllers: [TenantsController, TenantCredentialsController, CredentialsController, AuditController],
      providers: [
        // Global guards run in this order: who is calling, how often, and may they.
        { provide: APP_GUARD, useExisting: BearerAuthGuard },
        { provide: APP_GUARD, useClass: AdminRateLimitGuard },
        { provide: APP_GUARD, useClass: AccessGuard },
        IdempotencyInterceptor,
      ],
    };
  }
}
