import { AuditAppender, type JsonValue } from '@keyward/audit';
import { TenantTransactions, ValidationFailedError, type ChangeContext } from '@keyward/platform';
import { expiryWithinLifetime, PolicyRepository } from '@keyward/policy';
import { Injectable } from '@nestjs/common';
import { KeyNotFoundError, KeyRevokedError, type ApiKey } from '../domain/api-key';
import { creditsSetting, resolveCredits, type CreditsInput } from '../domain/credits';
import { resolveRateLimits, withV1RateLimit, type RateLimitInput } from '../domain/rate-limits';
import type { RateLimit } from '../domain/api-key';
import { KeysRepository, type KeyChanges } from '../keys.repository';
import { RolesRepository } from '../roles/roles.repository';
import { assertRolesExist } from './roles/key-roles';
import { KeyCountersAfterCommit } from './key-counters-after-commit';
import { KeyInvalidation } from './key-invalidation';

/** A PATCH as the API takes it: v1 and v1.1 names of one setting may both be given when they agree. */
export interface KeyUpdate extends Omit<KeyChanges, 'rateLimits' | 'credits'> {
  rateLimit?: RateLimit | null;
  rateLimits?: RateLimitInput[];
  remaining?: number | null;
  credits?: CreditsInput | null;
}

export interface UpdateKeyCommand {
  tenantId: string;
  keyId: string;
  changes: KeyUpdate;
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
    const { rateLimit, rateLimits: namedLimits, remaining, credits: creditsInput, ...plain } = command.changes;
    if (Object.values(command.changes).every((value) => value === undefined)) {
      throw new ValidationFailedError([{ field: 'body', message: 'must change at least one field' }]);
    }
    if (plain.expiresAt && plain.expiresAt.getTime() <= Date.now()) {
      throw new ValidationFailedError([{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    const key = await this.transactions.run(command.tenantId, async (tx) => {
      const current = await this.keys.findById(tx, command.keyId, { forUpdate: true });
      if (!current) throw new KeyNotFoundError();
      if (current.revokedAt) throw new KeyRevokedError();
      const changes: KeyChanges = { ...plain };
      await assertRolesExist(this.roles, tx, changes.roles);
      if (namedLimits !== undefined) changes.rateLimits = resolveRateLimits(rateLimit, namedLimits);
      else if (rateLimit !== undefined) changes.rateLimits = withV1RateLimit(current.rateLimits, rateLimit);
      // A v1 `remaining` alone sets the balance and keeps the key's refill; `credits` replaces both.
      const now = Date.now();
      if (creditsInput !== undefined) changes.credits = resolveCredits(remaining, creditsInput, now);
      else if (remaining !== undefined) changes.credits = creditsSetting(remaining, remaining === null ? null : current.creditsRefill, now);
      if (changes.expiresAt !== undefined) {
        expiryWithinLifetime(await this.policies.find(tx), current.createdAt, changes.expiresAt);
      }
      const updated = await this.keys.update(tx, current.id, changes);

      const { enabled, ...settings } = command.changes;
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
    if (remaining !== undefined || creditsInput !== undefined) await this.counters.applyPatchedCredits(key);
    await this.invalidation.announce(key);
    return key;
  }
}
