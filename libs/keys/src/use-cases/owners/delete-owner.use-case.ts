import { AuditAppender } from '@keyward/audit';
import { TenantTransactions, type ChangeContext } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { OwnerNotFoundError } from '../../domain/owner';
import { OwnersRepository } from '../../owners/owners.repository';
import { KeyInvalidation } from '../key-invalidation';

/**
 * DELETE /v1/owners/{ownerId}: the owner's keys keep working, without its limits and credits (its
 * credit pool is addressed by the record's id, so an owner made again starts afresh).
 */
@Injectable()
export class DeleteOwnerUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly owners: OwnersRepository,
    private readonly audit: AuditAppender,
    private readonly invalidation: KeyInvalidation,
  ) {}

  async execute(command: { tenantId: string; ownerId: string; change: ChangeContext }): Promise<void> {
    await this.transactions.run(command.tenantId, async (tx) => {
      const owner = await this.owners.find(tx, command.ownerId, { forUpdate: true });
      if (!owner) throw new OwnerNotFoundError();
      await this.owners.delete(tx, owner.id);
      await this.audit.append(tx, command.change, { action: 'owner.deleted', target: { type: 'owner', id: owner.ownerId } });
    });
    await this.invalidation.announceOwner({ tenantId: command.tenantId, ownerId: command.ownerId });
  }
}
