import { AuditAppender } from '@keyward/audit';
import { KEYWARD_CONFIG, KeyedHasher, SecretBox, TenantTransactions, type ChangeContext, type KeywardConfig } from '@keyward/platform';
import { WebhookOutbox } from '@keyward/webhooks';
import { expiryWithinLifetime, PolicyRepository } from '@keyward/policy';
import { Inject, Injectable } from '@nestjs/common';
import { KeyNotFoundError, KeyNotRotatableError, keyStatus, type ApiKey, type IssuedKey } from '../../domain/api-key';
import { generateApiKey, keyStart } from '../../domain/key-format';
import { escrowAssociatedData, KeyEscrowRepository } from '../../escrow/key-escrow.repository';
import { KeysRepository } from '../../keys.repository';
import { keySettings } from '../key-audit-details';
import { KeyInvalidation } from '../key-invalidation';

export interface RotateKeyCommand {
  tenantId: string;
  keyId: string;
  /** How long the old key keeps working; defaults to its rotation schedule's grace, else 0. */
  gracePeriodSeconds?: number;
  change: ChangeContext;
  /**
   * Scheduled rotation: nobody is there to receive the plaintext, so it is escrowed, sealed,
   * until it is revealed once (POST /v1/keys/{id}/reveal) or the grace period ends.
   */
  escrow?: boolean;
}

export interface RotatedKey {
  previous: ApiKey;
  successor: IssuedKey;
}

const UNIQUE_VIOLATION = '23505';

/**
 * Makes a successor with the same name, owner, scopes, roles, meta and limits, and ends the old key's life
 * at the grace period's end. The manual rotate endpoint and the scheduled-rotation worker both run
 * this. The old key's row lock serialises concurrent rotations, and the unique previous_key_id
 * makes sure only one successor can ever be committed.
 */
@Injectable()
export class RotateKeyUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly keys: KeysRepository,
    private readonly policies: PolicyRepository,
    private readonly audit: AuditAppender,
    private readonly hasher: KeyedHasher,
    private readonly invalidation: KeyInvalidation,
    private readonly escrows: KeyEscrowRepository,
    private readonly secretBox: SecretBox,
    private readonly webhooks: WebhookOutbox,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async execute(command: RotateKeyCommand): Promise<RotatedKey> {
    const now = new Date();
    const rotated = await this.transactions
      .run(command.tenantId, async (tx) => {
        const old = await this.keys.findById(tx, command.keyId, { forUpdate: true });
        if (!old) throw new KeyNotFoundError();
        const status = keyStatus(old, now);
        if (status === 'revoked' || status === 'expired') throw new KeyNotRotatableError(`it is ${status}`);
        if (await this.keys.hasSuccessor(tx, old.id)) throw new KeyNotRotatableError('it was already rotated');

        const graceSeconds = command.gracePeriodSeconds ?? old.rotation?.gracePeriodSeconds ?? 0;
        const graceEnd = new Date(now.getTime() + graceSeconds * 1000);
        const previousExpiresAt = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
        // The successor lives as long as the old key was meant to, capped by the tenant's policy: a
        // policy newer than the key shortens the successor rather than refusing the rotation.
        const lifetimeMs = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : null;
        const wanted = lifetimeMs !== null ? new Date(now.getTime() + lifetimeMs) : null;
        const latest = expiryWithinLifetime(await this.policies.find(tx), now, undefined);
        const expiresAt = latest !== null && (wanted === null || wanted > latest) ? latest : wanted;

        const plaintext = generateApiKey(this.config.keyPrefix, old.environment);
        const successor = await this.keys.insert(tx, {
          name: old.name,
          ownerId: old.ownerId,
          keyHash: this.hasher.hash(plaintext),
          start: keyStart(plaintext, this.config.keyPrefix, old.environment),
          environment: old.environment,
          scopes: old.scopes,
          roles: old.roles,
          meta: old.meta,
          expiresAt,
          rateLimits: old.rateLimits,
          credits: { remaining: old.remaining, refill: old.creditsRefill, period: old.creditsPeriod },
          ipAllowlist: old.ipAllowlist,
          rotation: old.rotation,
          previousKeyId: old.id,
        });
        const previous = await this.keys.update(tx, old.id, { expiresAt: previousExpiresAt });
        if (command.escrow) {
          // Kept at least a minute, so that a grace of zero still leaves time to reveal it.
          const escrowUntil = new Date(Math.max(previousExpiresAt.getTime(), now.getTime() + 60_000));
          const sealed = this.secretBox.seal(Buffer.from(plaintext, 'utf8'), escrowAssociatedData(successor.id));
          await this.escrows.put(tx, successor.id, sealed, escrowUntil);
        }
        await this.audit.append(tx, command.change, {
          action: 'key.rotated',
          target: { type: 'key', id: old.id },
          details: {
            successorKeyId: successor.id,
            gracePeriodSeconds: graceSeconds,
            previousKeyExpiresAt: previousExpiresAt.toISOString(),
            scheduled: command.escrow === true,
          },
        });
        await this.webhooks.enqueue(tx, {
          type: 'key.rotated',
          data: {
            keyId: old.id,
            successorKeyId: successor.id,
            ownerId: old.ownerId,
            name: old.name,
            previousKeyExpiresAt: previousExpiresAt.toISOString(),
            scheduled: command.escrow === true,
          },
        });
        await this.audit.append(tx, command.change, {
          action: 'key.created',
          target: { type: 'key', id: successor.id },
          details: { ...keySettings(successor), previousKeyId: old.id },
        });
        return { previous, successor: { key: successor, plaintext } };
      })
      .catch((error: { code?: string }) => {
        if (error.code === UNIQUE_VIOLATION) throw new KeyNotRotatableError('it was already rotated');
        throw error;
      });
    await this.invalidation.announce(rotated.previous);
    return rotated;
  }
}
