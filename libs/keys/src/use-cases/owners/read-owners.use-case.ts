import { TenantTransactions, type Page } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { OwnerNotFoundError, type Owner } from '../../domain/owner';
import { OwnersRepository } from '../../owners/owners.repository';

/** An owner with the number of its keys that are not revoked. */
export interface OwnerWithKeyCount {
  owner: Owner;
  keyCount: number;
}

@Injectable()
export class GetOwnerUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly owners: OwnersRepository,
  ) {}

  execute(tenantId: string, ownerId: string): Promise<OwnerWithKeyCount> {
    return this.transactions.run(tenantId, async (tx) => {
      const owner = await this.owners.find(tx, ownerId);
      if (!owner) throw new OwnerNotFoundError();
      const counts = await this.owners.keyCounts(tx, [owner.ownerId]);
      return { owner, keyCount: counts.get(owner.ownerId) ?? 0 };
    });
  }
}

@Injectable()
export class ListOwnersUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly owners: OwnersRepository,
  ) {}

  execute(tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<OwnerWithKeyCount>> {
    return this.transactions.run(tenantId, async (tx) => {
      const owners = await this.owners.list(tx, page);
      const counts = await this.owners.keyCounts(
        tx,
        owners.data.map((owner) => owner.ownerId),
      );
      return { ...owners, data: owners.data.map((owner) => ({ owner, keyCount: counts.get(owner.ownerId) ?? 0 })) };
    });
  }
}
