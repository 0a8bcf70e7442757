// Every database change runs in one transaction that tells PostgreSQL whose data it touches, so
// row-level security filters even a query that forgot its tenant filter.
import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, type EntityManager } from 'typeorm';

/** A transaction bound to one tenant: repositories read `tenantId` from it, so it cannot be forgotten. */
export interface TenantTx {
  readonly tenantId: string;
  readonly manager: EntityManager;
}

/** A transaction of the platform operator: it may read and write the tenants table itself. */
export interface PlatformTx {
  readonly manager: EntityManager;
  /** The same transaction, now scoped to one tenant (e.g. to record a new tenant's first event). */
  forTenant(tenantId: string): Promise<TenantTx>;
}

interface AmbientTransaction {
  readonly manager: EntityManager;
}

const ambient = new AsyncLocalStorage<AmbientTransaction>();

async function setTenant(manager: EntityManager, tenantId: string | null): Promise<void> {
  await manager.query(`SELECT set_config('keyward.tenant_id', $1, true)`, [tenantId ?? '']);
}

async function setPlatform(manager: EntityManager, on: boolean): Promise<void> {
  await manager.query(`SELECT set_config('keyward.platform', $1, true)`, [on ? 'on' : 'off']);
}

@Injectable()
export class TenantTransactions {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in a transaction scoped to `tenantId`, joining an ambient one if there is one. */
  run<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    return this.within(async (manager) => {
      await setTenant(manager, tenantId);
      return work({ tenantId, manager });
    });
  }

  /** Runs `work` as the platform operator, who manages the tenants table across tenants. */
  runAsPlatform<T>(work: (tx: PlatformTx) => Promise<T>): Promise<T> {
    return this.within(async (manager) => {
      await setPlatform(manager, true);
      const forTenant = async (tenantId: string): Promise<TenantTx> => {
        await setTenant(manager, tenantId);
        return { tenantId, manager };
      };
      return work({ manager, forTenant });
    });
  }

  /**
   * Opens a transaction that later `run` calls in the same async context join, so that a
   * cross-cutting write (an idempotency record) commits or rolls back with the use case's writes.
   */
  runAmbient<T>(scope: { tenantId: string | null; platform: boolean }, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await setTenant(manager, scope.tenantId);
      await setPlatform(manager, scope.platform);
      return ambient.run({ manager }, () => work(manager));
    });
  }

  private within<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = ambient.getStore();
    if (current) return work(current.manager);
    return this.dataSource.transaction(work);
  }
}
