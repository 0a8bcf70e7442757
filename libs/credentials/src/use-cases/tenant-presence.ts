import { NotFoundError, type TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';

export class TenantOfCredentialNotFoundError extends NotFoundError {
  constructor() {
    super('The tenant');
  }
}

/** Whether the transaction's tenant exists (row-level security shows a tenant its own row only). */
@Injectable()
export class TenantPresence {
  async exists(tx: TenantTx): Promise<boolean> {
    const rows: unknown[] = await tx.manager.query('SELECT 1 FROM tenants WHERE id = $1', [tx.tenantId]);
    return rows.length > 0;
  }
}
