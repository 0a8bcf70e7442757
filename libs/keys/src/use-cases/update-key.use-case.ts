import { AuditAppender, type JsonValue } from '@keyward/audit';
import { TenantTransactions, ValidationFailedError, type ChangeContext } from '@keyward/platform';
import { expiryWithinLifetime, PolicyRepository } from '@keyward/policy';
import { Injectable } from '@nestjs/common';
import { KeyNotFoundError, KeyRevokedError, type ApiKey } from '../domain/api-key';
import { KeysRepository, type KeyChanges } from '../keys.repository';
import { RolesRepository } from '../roles/roles.repository';
import { assertRolesExist } from './roles/key-roles';
import { KeyCountersAfterCommit } from './key-counters-after-commit';
import { KeyInvalidation } from './key-invalidation';

export interface UpdateKeyCommand {
  tenantId: string;
  keyId: string;
  changes: KeyChanges;
  change: ChangeContext;
}

/** PATCH: changes the given fields; `enabled` is recorded as key.disabled or key.enabled. */
@Injectable()
export class UpdateKeyUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly keys: KeysRepository,
    private readonly roles: RolesRepository,
    private readonly policies: PolicyRepository,
    private readonly audit: AuditAppender,
    private readonly invalidation: KeyInvalidation,
    private readonly counters: KeyCountersAfterCommit,
  ) {}

  async execute(command: UpdateKeyCommand): Promise<ApiKey> {
    const { changes } = command;
    if (Object.values(changes).every((value) => value === undefined)) {
      throw new ValidationFailedError([{ field: 'body', message: 'must change at least one field' }]);
    }
    if (changes.expiresAt && changes.expiresAt.getTime() <= Date.now()) {
      throw new ValidationFailedError([{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    const key = await this.transactions.run(command.tenantId, async (tx) => {
      const current = await this.keys.findById(tx, command.keyId, { forUpdate: true });
      if (!current) throw new KeyNotFoundError();
      if (current.revokedAt) throw new KeyRevokedError();
      await assertRolesExist(this.roles, tx, changes.roles);
      if (changes.expiresAt !== undefined) {
        expiryWithinLifetime(await this.policies.find(tx), current.createdAt, changes.expiresAt);
      }
      const updated = await this.keys.update(tx, current.id, changes);

      const { enabled, ...settings } = changes;
      const changed = Object.entries(settings).filter(([, value]) => value !== undefined);
      if (changed.length > 0) {
        await this.audit.append(tx, command.change, {
          action: 'key.updated',
          target: { type: 'key', id: current.id },
          details: { changes: JSON.parse(JSON.stringify(Object.fromEntries(changed))) as { [name: string]: JsonValue } },
        });
      }
      if (enabled !== undefined && enabled !== current.enabled) {
        await this.audit.append(tx, command.change, {
          action: enabled ? 'key.enabled' : 'key.disabled',
          target: { type: 'key', id: current.id },
        });
      }
      return updated;
    });
    if (changes.remaining !== undefined) await this.counters.applyPatchedCredits(key);
    await this.invalidation.announce(key);
    return key;
  }
}
