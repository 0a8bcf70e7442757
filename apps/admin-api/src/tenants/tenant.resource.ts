import type { Tenant } from '@keyward/tenants';
import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE } from '../openapi-examples';

export class TenantResource {
  @ApiProperty({ format: 'uuid', example: EXAMPLE.tenantId }) id: string;
  @ApiProperty({ example: 'Acme Corp' }) name: string;
  @ApiProperty({
    enum: ['active', 'suspended'],
    description: "suspended: the tenant's keys verify as DISABLED and its admins and auditors get 403",
    example: 'active',
  })
  status: 'active' | 'suspended';
  @ApiProperty({ format: 'date-time', example: EXAMPLE.createdAt }) createdAt: string;
}

export class TenantPage {
  @ApiProperty({ type: [TenantResource] }) data: TenantResource[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}

export function toTenantResource(tenant: Tenant): TenantResource {
  return { id: tenant.id, name: tenant.name, status: tenant.status, createdAt: tenant.createdAt.toISOString() };
}
