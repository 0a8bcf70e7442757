import { AuditAppender } from '@keyward/audit';
import { DomainError, SecretBox, TenantTransactions, type ChangeContext } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { KeyNotFoundError } from '../domain/api-key';
import { escrowAssociatedData, KeyEscrowRepository } from '../escrow/key-escrow.repository';
import { KeysRepository } from '../keys.repository';

export class KeyNotRevealableError extends DomainError {
  constructor() {
    super(
      'GONE',
      'This key has no escrowed secret: it was revealed already, its grace period ended, or it was not made by scheduled rotation.',
    );
  }
}

/** Hands out the plaintext of a scheduled rotation's successor once, then forgets it. */
@Injectable()
export class RevealKeyUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly keys: KeysRepository,
    private readonly escrows: KeyEscrowRepository,
    private readonly secretBox: SecretBox,
    private readonly audit: AuditAppender,
  ) {}

  execute(command: { tenantId: string; keyId: string; change: ChangeContext }): Promise<{ id: string; key: string }> {
    return this.transactions.run(command.tenantId, async (tx) => {
      if (!(await this.keys.findById(tx, command.keyId))) throw new KeyNotFoundError();
      const sealed = await this.escrows.take(tx, command.keyId);
      if (!sealed) throw new KeyNotRevealableError();
      const plaintext = this.secretBox.open(sealed, escrowAssociatedData(command.keyId)).toString('utf8');
      await this.audit.append(tx, command.change, { action: 'key.revealed', target: { type: 'key', id: command.keyId } });
      return { id: command.keyId, key: plaintext };
    });
  }
}
