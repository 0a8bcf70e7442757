import { AuditModule } from '@keyward/audit';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantEntity } from './tenant.entity';
import { TenantsRepository } from './tenants.repository';
import { ChangeTenantStatusUseCase } from './use-cases/change-tenant-status.use-case';
import { CreateTenantUseCase } from './use-cases/create-tenant.use-case';
import { GetTenantUseCase } from './use-cases/get-tenant.use-case';
import { ListTenantsUseCase } from './use-cases/list-tenants.use-case';

const USE_CASES = [CreateTenantUseCase, GetTenantUseCase, ListTenantsUseCase, ChangeTenantStatusUseCase];

@Module({
  imports: [TypeOrmModule.forFeature([TenantEntity]), AuditModule],
  providers: [TenantsRepository, ...USE_CASES],
  exports: USE_CASES,
})
export class TenantsModule {}
