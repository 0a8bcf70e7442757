import { AuditAppender } from '@keyward/audit';
import {
  KEYWARD_CONFIG,
  KeyedHasher,
  TenantTransactions,
  ValidationFailedError,
  type ChangeContext,
  type KeywardConfig,
} from '@keyward/platform';
import { expiryWithinLifetime, PolicyRepository } from '@keyward/policy';
import { Inject, Injectable } from '@nestjs/common';
import type { IssuedKey, KeyMeta, RateLimit, RotationSchedule } from '../domain/api-key';
import { creditsSetting, resolveCredits, type CreditsInput } from '../domain/credits';
import { resolveRateLimits, type RateLimitInput } from '../domain/rate-limits';
import { generateApiKey, keyStart, type KeyEnvironment } from '../domain/key-format';
import { KeysRepository } from '../keys.repository';
import { RolesRepository } from '../roles/roles.repository';
import { assertRolesExist } from './roles/key-roles';
import { keySettings } from './key-audit-details';

export interface CreateKeyCommand {
  tenantId: string;
  change: ChangeContext;
  name: string;
  ownerId?: string;
  scopes?: string[];
  roles?: string[];
  environment?: KeyEnvironment;
  expiresAt?: Date;
  meta?: KeyMeta;
  rateLimit?: RateLimit;
  rateLimits?: RateLimitInput[];
  remaining?: number;
  credits?: CreditsInput;
  ipAllowlist?: string[];
  rotation?: RotationSchedule;
}

/** Issues a key: the plaintext is returned once; PostgreSQL keeps its keyed hash and `start`. */
@Injectable()
export class CreateKeyUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly keys: KeysRepository,
    private readonly roles: RolesRepository,
    private readonly policies: PolicyRepository,
    private readonly audit: AuditAppender,
    private readonly hasher: KeyedHasher,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  execute(command: CreateKeyCommand): Promise<IssuedKey> {
    const now = new Date();
    if (command.expiresAt && command.expiresAt.getTime() <= now.getTime()) {
      throw new ValidationFailedError([{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    const rateLimits = resolveRateLimits(command.rateLimit, command.rateLimits);
    const credits = resolveCredits(command.remaining, command.credits, now.getTime()) ?? creditsSetting(null, null, now.getTime());
    return this.transactions.run(command.tenantId, async (tx) => {
      await assertRolesExist(this.roles, tx, command.roles);
      const policy = await this.policies.find(tx);
      const expiresAt = expiryWithinLifetime(policy, now, command.expiresAt);
      const environment = command.environment ?? 'live';
      const plaintext = generateApiKey(this.config.keyPrefix, environment);
      const key = await this.keys.insert(tx, {
        name: command.name,
        ownerId: command.ownerId ?? null,
        keyHash: this.hasher.hash(plaintext),
        start: keyStart(plaintext, this.config.keyPrefix, environment),
        environment,
        scopes: command.scopes ?? [],
        roles: command.roles ?? [],
        meta: command.meta ?? {},
        expiresAt,
        rateLimits,
        credits,
        ipAllowlist: command.ipAllowlist ?? null,
        rotation: command.rotation ?? null,
        previousKeyId: null,
      });
      await this.audit.append(tx, command.change, {
        action: 'key.created',
        target: { type: 'key', id: key.id },
        details: keySettings(key),
      });
      return { key, plaintext };
    });
  }
}
