import { AuditAppender } from '@keyward/audit';
import { DomainError, TenantTransactions, type ChangeContext, type TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CreditsSeeder } from '../counters/credits-seeder';
import { KeyCounters, type PoolRef, type PoolSpec } from '../counters/key-counters';
import { KeyNotFoundError, KeyRevokedError } from '../domain/api-key';
import { creditsSetting, refillPeriodStart, type CreditRefill } from '../domain/credits';
import { OwnerNotFoundError } from '../domain/owner';
import { KeysRepository } from '../keys.repository';
import { OwnersRepository } from '../owners/owners.repository';
import { KeyUsageRepository } from '../usage/key-usage.repository';
import { KeyCountersAfterCommit } from './key-counters-after-commit';
import { KeyInvalidation } from './key-invalidation';

export const CREDIT_OPS = ['increment', 'decrement', 'set'] as const;
export type CreditOp = (typeof CREDIT_OPS)[number];

export interface ChangeCreditsCommand {
  tenantId: string;
  target: { kind: 'key'; keyId: string } | { kind: 'owner'; ownerId: string };
  op: CreditOp;
  amount: number;
  change: ChangeContext;
}

export class InsufficientCreditsError extends DomainError {
  constructor(remaining: number) {
    super('INSUFFICIENT_CREDITS', `The decrement would take the balance below zero; ${remaining} credits are left.`);
  }
}

export class NoCreditsError extends DomainError {
  constructor() {
    super('CONFLICT', 'There are no credits to change: set them first (op "set").');
  }
}

/** A credit pool as the use case found it: what addresses it, and what the record says of it. */
interface FoundPool {
  spec: PoolSpec;
  tag: string;
  remaining: number | null;
  refill: CreditRefill | null;
  recordId: string;
}

/** How often an increment or decrement seeds the balance and tries again before giving up. */
const ATTEMPTS = 5;

/**
 * POST .../credits (docs/credits.md): `set` replaces the balance like a PATCH; `increment` and
 * `decrement` change Redis's live balance in one atomic step against concurrent verifications
 * (seeding it first if Redis holds none), then record the change in PostgreSQL as a charge of the
 * balance's seed, audited in the same transaction.
 */
@Injectable()
export class ChangeCreditsUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly keys: KeysRepository,
    private readonly owners: OwnersRepository,
    private readonly counters: KeyCounters,
    private readonly seeder: CreditsSeeder,
    private readonly usage: KeyUsageRepository,
    private readonly audit: AuditAppender,
    private readonly invalidation: KeyInvalidation,
    private readonly afterCommit: KeyCountersAfterCommit,
  ) {}

  async execute(command: ChangeCreditsCommand): Promise<{ remaining: number }> {
    return command.op === 'set' ? this.set(command) : this.adjust(command, command.op === 'increment' ? command.amount : -command.amount);
  }

  private async set(command: ChangeCreditsCommand): Promise<{ remaining: number }> {
    const now = Date.now();
    const { found, changed } = await this.transactions.run(command.tenantId, async (tx) => {
      const found = await this.find(tx, command, true);
      const credits = creditsSetting(command.amount, found.refill, now);
      const changed =
        command.target.kind === 'key'
          ? ({ kind: 'key', key: await this.keys.update(tx, found.recordId, { credits }) } as const)
          : ({ kind: 'owner', owner: await this.replaceOwnerCredits(tx, command.target.ownerId, credits) } as const);
      await this.record(tx, command);
      return { found, changed };
    });
    // As a PATCH or a PUT does: the balance with the record's new version and PostgreSQL's seed.
    if (changed.kind === 'key') await this.afterCommit.applyPatchedCredits(changed.key);
    else await this.afterCommit.applyOwnerCredits(changed.owner);
    await this.announce(command, found);
    return { remaining: command.amount };
  }

  private async adjust(command: ChangeCreditsCommand, change: number): Promise<{ remaining: number }> {
    const found = await this.transactions.run(command.tenantId, (tx) => this.find(tx, command, false));
    if (found.remaining === null) throw new NoCreditsError();
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.counters.adjustCredits(found.tag, found.spec, change);
      if (outcome.status === 'below-zero') throw new InsufficientCreditsError(outcome.balance);
      if (outcome.status === 'applied') {
        const { tag } = outcome;
        const charge = {
          pool: found.spec.pool,
          ...tag,
          periodStart: found.refill && tag.period >= 0 ? refillPeriodStart(found.refill, tag.period) : null,
          amount: -change,
        };
        const late = await this.transactions.run(command.tenantId, async (tx) => {
          const lateCharges = await this.usage.chargeCredits(randomUUID(), [charge], tx);
          await this.record(tx, command);
          return lateCharges;
        });
        for (const lateCharge of late) await this.counters.applyCharge(found.tag, lateCharge);
        return { remaining: outcome.balance };
      }
      if (attempt === ATTEMPTS)
        throw new DomainError('SERVICE_UNAVAILABLE', 'The credit balance could not be loaded; retry shortly.', [], 1);
      await this.seeder.seed(command.tenantId, found.tag, found.spec);
    }
  }

  private async find(tx: TenantTx, command: ChangeCreditsCommand, forUpdate: boolean): Promise<FoundPool> {
    if (command.target.kind === 'key') {
      const key = await this.keys.findById(tx, command.target.keyId, { forUpdate });
      if (!key) throw new KeyNotFoundError();
      if (key.revokedAt) throw new KeyRevokedError();
      return this.poolOf(KeyCounters.tagOf(key), { kind: 'key', id: key.id }, key);
    }
    const owner = await this.owners.find(tx, command.target.ownerId, { forUpdate });
    if (!owner) throw new OwnerNotFoundError();
    return this.poolOf(KeyCounters.ownerTag(owner.tenantId, owner.ownerId), { kind: 'owner', id: owner.id }, owner);
  }

  /** The pool of a key or owner record, as the counters address it. */
  private poolOf(
    tag: string,
    pool: PoolRef,
    record: { id: string; remaining: number | null; creditsVersion: number; creditsRefill: CreditRefill | null },
  ): FoundPool {
    return {
      spec: { pool, counter: this.counters.poolKey(tag, pool), version: record.creditsVersion, refill: record.creditsRefill },
      tag,
      remaining: record.remaining,
      refill: record.creditsRefill,
      recordId: record.id,
    };
  }

  private async replaceOwnerCredits(tx: TenantTx, ownerId: string, credits: ReturnType<typeof creditsSetting>) {
    const owner = (await this.owners.find(tx, ownerId))!;
    return this.owners.replace(tx, owner.id, { name: owner.name, meta: owner.meta, rateLimits: owner.rateLimits, credits });
  }

  private record(tx: TenantTx, command: ChangeCreditsCommand): Promise<unknown> {
    const { target } = command;
    return this.audit.append(tx, command.change, {
      action: target.kind === 'key' ? 'key.credits_changed' : 'owner.credits_changed',
      target: target.kind === 'key' ? { type: 'key', id: target.keyId } : { type: 'owner', id: target.ownerId },
      details: { op: command.op, amount: command.amount },
    });
  }

  private announce(command: ChangeCreditsCommand, found: FoundPool): Promise<void> {
    return command.target.kind === 'key'
      ? this.invalidation.announce({ id: found.recordId, tenantId: command.tenantId })
      : this.invalidation.announceOwner({ tenantId: command.tenantId, ownerId: command.target.ownerId });
  }
}
