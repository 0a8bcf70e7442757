import { decodeCursor, toPage, type Page, type PlatformTx, type TenantStatus } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { Tenant } from './domain/tenant';
import { TenantEntity } from './tenant.entity';

/** The tenants table: the platform operator's, so its methods take a platform transaction. */
@Injectable()
export class TenantsRepository {
  insert(tx: PlatformTx, name: string): Promise<Tenant> {
    return tx.manager.save(TenantEntity, tx.manager.create(TenantEntity, { name, status: 'active' }));
  }

  findById(tx: PlatformTx, id: string): Promise<Tenant | null> {
    return tx.manager.findOne(TenantEntity, { where: { id } });
  }

  async list(tx: PlatformTx, limit: number, cursor?: string): Promise<Page<Tenant>> {
    const query = tx.manager
      .createQueryBuilder(TenantEntity, 't')
      .orderBy('t.created_at', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .limit(limit + 1);
    if (cursor) {
      const after = decodeCursor(cursor);
      query.where('(t.created_at, t.id) > (:createdAt, :id)', after);
    }
    return toPage(await query.getMany(), limit);
  }

  /**
   * Sets the status; returns the tenant as stored and whether this call changed it, or null when
   * there is no such tenant.
   */
  async setStatus(tx: PlatformTx, id: string, status: TenantStatus): Promise<{ tenant: Tenant; changed: boolean } | null> {
    const result = await tx.manager
      .createQueryBuilder()
      .update(TenantEntity)
      .set({ status, updatedAt: () => 'now()' })
      .where('id = :id AND status <> :status', { id, status })
      .execute();
    const tenant = await this.findById(tx, id);
    return tenant ? { tenant, changed: (result.affected ?? 0) > 0 } : null;
  }
}
