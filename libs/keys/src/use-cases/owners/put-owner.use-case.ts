import { AuditAppender } from '@keyward/audit';
import { TenantTransactions, ValidationFailedError, type ChangeContext, type TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { creditsAt, resolveCredits, type CreditRefill, type CreditsInput, type CreditsSetting } from '../../domain/credits';
import { OWNER_ID_PATTERN, type Owner } from '../../domain/owner';
import { resolveRateLimits, type RateLimitInput } from '../../domain/rate-limits';
import { OwnersRepository } from '../../owners/owners.repository';
import { KeyCountersAfterCommit } from '../key-counters-after-commit';
import { KeyInvalidation } from '../key-invalidation';
import { ownerSettings } from './owner-audit-details';
import type { OwnerWithKeyCount } from './read-owners.use-case';

export interface PutOwnerCommand {
  tenantId: string;
  ownerId: string;
  name?: string | null;
  meta?: Record<string, unknown>;
  rateLimits?: RateLimitInput[];
  /** Absent: the owner keeps its credits. null: unlimited. */
  credits?: CreditsInput | null;
  change: ChangeContext;
}

const UNIQUE_VIOLATION = '23505';

function sameRefill(a: CreditRefill | null, b: CreditRefill | null): boolean {
  if (a === null || b === null) return a === b;
  return a.interval === b.interval && a.amount === b.amount && (a.dayOfMonth ?? null) === (b.dayOfMonth ?? null);
}

/** Whether `wanted` is what the owner's credits already are (as the API shows them now). */
function sameCredits(owner: Owner, wanted: CreditsSetting, now: number): boolean {
  if (owner.remaining === null || wanted.remaining === null) return owner.remaining === wanted.remaining;
  const current = creditsAt(
    { remaining: owner.remaining, refill: owner.creditsRefill, period: owner.creditsPeriod, refilledAt: owner.refilledAt },
    now,
  );
  return current.remaining === wanted.remaining && sameRefill(owner.creditsRefill, wanted.refill);
}

/**
 * PUT /v1/owners/{ownerId} (docs/api.md, Owners): creates the owner or replaces its name, meta and
 * limits. Its credits change only when the request gives credits other than those it shows: a PUT
 * that leaves them out, or repeats them, keeps the balance being spent. In force on every verify
 * process within a second (the owner's invalidation, and Redis's balance set at once).
 */
@Injectable()
export class PutOwnerUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly owners: OwnersRepository,
    private readonly audit: AuditAppender,
    private readonly invalidation: KeyInvalidation,
    private readonly counters: KeyCountersAfterCommit,
  ) {}

  async execute(command: PutOwnerCommand): Promise<OwnerWithKeyCount> {
    if (!OWNER_ID_PATTERN.test(command.ownerId)) {
      throw new ValidationFailedError([{ field: 'ownerId', message: 'must be 1 to 200 characters of A-Z a-z 0-9 _ . : @ -' }]);
    }
    const now = Date.now();
    const rateLimits = resolveRateLimits(undefined, command.rateLimits);
    const credits = command.credits === undefined ? undefined : resolveCredits(undefined, command.credits, now);
    // Two PUTs that both create the owner: the one that loses the insert replaces what the other made.
    const put = () => this.transactions.run(command.tenantId, (tx) => this.put(tx, command, rateLimits, credits, now));
    const result = await put().catch((error: { code?: string }) => {
      if (error.code === UNIQUE_VIOLATION) return put();
      throw error;
    });
    if (result.creditsChanged) await this.counters.applyOwnerCredits(result.owner);
    await this.invalidation.announceOwner(result.owner);
    return { owner: result.owner, keyCount: result.keyCount };
  }

  private async put(
    tx: TenantTx,
    command: PutOwnerCommand,
    rateLimits: ReturnType<typeof resolveRateLimits>,
    credits: CreditsSetting | undefined,
    now: number,
  ): Promise<OwnerWithKeyCount & { creditsChanged: boolean }> {
    const settings = { name: command.name ?? null, meta: command.meta ?? {}, rateLimits };
    const current = await this.owners.find(tx, command.ownerId, { forUpdate: true });
    const changedCredits = credits && (!current || !sameCredits(current, credits, now)) ? credits : undefined;
    const owner = current
      ? await this.owners.replace(tx, current.id, { ...settings, credits: changedCredits })
      : await this.owners.insert(tx, command.ownerId, { ...settings, credits: changedCredits });
    await this.audit.append(tx, command.change, {
      action: current ? 'owner.updated' : 'owner.created',
      target: { type: 'owner', id: owner.ownerId },
      details: ownerSettings(owner),
    });
    const keyCount = (await this.owners.keyCounts(tx, [owner.ownerId])).get(owner.ownerId) ?? 0;
    return { owner, keyCount, creditsChanged: changedCredits !== undefined && (current !== null || changedCredits.remaining !== null) };
  }
}
