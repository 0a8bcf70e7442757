import type { Tenant } from '@keyward/tenants';
import { ApiProperty } from '@nestjs/swagger';

export class TenantResource {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['active', 'suspended'] }) status: 'active' | 'suspended';
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class TenantPage {
  @ApiProperty({ type: [TenantResource] }) data: TenantResource[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export function toTenantResource(tenant: Tenant): TenantResource {
  return { id: tenant.id, name: tenant.name, status: tenant.status, createdAt: tenant.createdAt.toISOString() };
}
