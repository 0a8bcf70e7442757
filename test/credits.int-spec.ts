// Credits stay exact when Redis loses a balance (docs/credits.md): a balance is seeded only from
// PostgreSQL, with this process's charges written back first; charges another process made against
// the lost balance are taken off the new one when they are written back; a batch of charges is
// written at most once. The verify service's credit parts on the run's real PostgreSQL and Redis.
import { refillPeriod, refillPeriodStart, type VerifiableKey } from '@keyward/keys';
import { randomUUID } from 'node:crypto';
import {
  creditComponents,
  durableCredits,
  insertCreditedKey,
  insertCreditedOwner,
  type CreditComponents,
} from './support/credit-components';
import { sql } from './support/database';
import { testConfig } from './support/test-config';

describe('credits (PostgreSQL and Redis)', () => {
  const config = testConfig();
  let one: CreditComponents;
  let other: CreditComponents;

  beforeAll(async () => {
    one = await creditComponents(config, 'credits-one');
    other = await creditComponents(config, 'credits-other');
  });

  afterAll(async () => {
    await one.close();
    await other.close();
  });

  /** What Redis loses on eviction, FLUSHDB or a failover to a replica that had not caught up. */
  const loseBalance = (keyId: string) => one.redis.del(one.counters.poolKey(keyId, { kind: 'key', id: keyId }));
  const balanceOf = (keyId: string) => one.counters.readCredits(keyId, { kind: 'key', id: keyId });
  const verdicts = async (parts: CreditComponents, key: VerifiableKey, count: number) =>
    Promise.all(Array.from({ length: count }, () => parts.check(key))).then((outcomes) => outcomes.map((outcome) => outcome.verdict));
  const countValid = (list: string[]) => list.filter((verdict) => verdict === 'VALID').length;

  it('seeds a balance on first use from PostgreSQL, and writes back what was charged', async () => {
    const key = await insertCreditedKey(5);
    expect(await verdicts(one, key, 7)).toEqual([...Array(5).fill('VALID'), 'USAGE_EXCEEDED', 'USAGE_EXCEEDED']);
    await one.writeBack.flush();
    expect(await durableCredits(key.id)).toEqual({ remaining: 0, version: 0, seed: 1 });
  });

  it('never re-seeds from the cached record: a lost balance comes back from PostgreSQL, with this process’s charges not yet written back', async () => {
    // Before: the cached record (5) re-seeded the lost balance, and a key with 5 credits gave 10 VALID.
    const spent = await insertCreditedKey(5);
    expect(countValid(await verdicts(one, spent, 5))).toBe(5);
    await one.writeBack.flush();
    await loseBalance(spent.id);
    expect(await verdicts(one, spent, 10)).toEqual(Array(10).fill('USAGE_EXCEEDED'));

    // Three charged, none written back yet, then the balance is lost: two are left, not five.
    const halfway = await insertCreditedKey(5);
    expect(countValid(await verdicts(one, halfway, 3))).toBe(3);
    await loseBalance(halfway.id);
    expect(await verdicts(one, halfway, 4)).toEqual(['VALID', 'VALID', 'USAGE_EXCEEDED', 'USAGE_EXCEEDED']);
    await one.writeBack.flush();
    expect((await durableCredits(halfway.id)).remaining).toBe(0);
  });

  it('takes the charges another process made against the lost balance off the new one when they are written back', async () => {
    const key = await insertCreditedKey(10);
    expect(countValid(await verdicts(one, key, 3))).toBe(3); // Redis 7; PostgreSQL still 10
    await loseBalance(key.id);
    // The other process seeds from PostgreSQL (10: the first process has not written back yet).
    expect(countValid(await verdicts(other, key, 2))).toBe(2);
    expect(await balanceOf(key.id)).toMatchObject({ balance: 8 });
    // The first process's write-back lands after that seed: its 3 are taken off Redis's balance too.
    await one.writeBack.flush();
    expect(await balanceOf(key.id)).toMatchObject({ balance: 5 });
    await other.writeBack.flush();
    expect((await durableCredits(key.id)).remaining).toBe(5);
    expect(await verdicts(other, key, 7)).toEqual([...Array(5).fill('VALID'), 'USAGE_EXCEEDED', 'USAGE_EXCEEDED']);
    await other.writeBack.flush();
    expect((await durableCredits(key.id)).remaining).toBe(0);
  });

  /**
   * Spends a key's credits with `processes` checking at once, 40 checks each per round, while
   * Redis loses the balance every fifth round; each process writes back every few rounds, at its
   * own time (once a second in service). Counts the VALID answers, the answers given without
   * Redis (a time-out on a loaded machine: no verdict on the credits), and the charges each other
   * process had not written back when a balance was lost.
   */
  const spendWhileLosing = async (processes: CreditComponents[], credits: number) => {
    const key = await insertCreditedKey(credits);
    const unwritten = processes.map(() => 0);
    let valid = 0;
    let refused = 0;
    let fallbacks = 0;
    let atRisk = 0;
    for (let round = 0; refused === 0 && round < 200; round++) {
      const outcomes = await Promise.all(processes.map((parts) => Promise.all(Array.from({ length: 40 }, () => parts.check(key)))));
      outcomes.forEach((each, p) => {
        const charged = each.filter((outcome) => !outcome.fallback && outcome.verdict === 'VALID').length;
        unwritten[p] += charged;
        valid += charged;
        fallbacks += each.filter((outcome) => outcome.fallback).length;
        refused += each.filter((outcome) => outcome.verdict === 'USAGE_EXCEEDED').length;
      });
      if (round % 5 === 2) {
        await loseBalance(key.id);
        // The seeder writes back its own charges first; the others' are taken off when they write back.
        atRisk += unwritten.reduce((sum, count) => sum + count, 0) - Math.min(...unwritten);
      }
      for (const [p, parts] of processes.entries()) {
        if (round % (3 + p) === p) {
          await parts.writeBack.flush();
          unwritten[p] = 0;
        }
      }
    }
    for (const parts of processes) await parts.writeBack.flush();
    return { valid, fallbacks, atRisk, durable: await durableCredits(key.id) };
  };

  it('stays exact under load on one process while the balance is lost again and again: every credit is spent once', async () => {
    const { valid, fallbacks, durable } = await spendWhileLosing([one], 2_000);
    expect({ valid, fallbacks }).toEqual({ valid: 2_000, fallbacks: 0 });
    expect(durable.remaining).toBe(0);
  });

  it('on two processes grants again at most what the other process had not written back when the balance was lost', async () => {
    const { valid, fallbacks, atRisk, durable } = await spendWhileLosing([one, other], 2_000);
    expect(fallbacks).toBe(0);
    expect(valid).toBeGreaterThanOrEqual(2_000);
    expect(valid).toBeLessThanOrEqual(2_000 + atRisk);
    expect(durable.remaining).toBe(0);
  });

  it('writes a batch of charges at most once, and drops charges against a balance a PATCH replaced', async () => {
    const key = await insertCreditedKey(100);
    const batch = randomUUID();
    const pool = { kind: 'key' as const, id: key.id };
    const charge = { pool, version: 0, seed: 0, period: -1, periodStart: null, amount: 7 };
    expect(await one.usage.chargeCredits(batch, [charge])).toEqual([]);
    // A retry of a batch whose first try committed (its answer lost) charges nothing again.
    expect(await one.usage.chargeCredits(batch, [charge])).toEqual([]);
    expect((await durableCredits(key.id)).remaining).toBe(93);

    // Seeded since (seed 1): a charge of seed 0 is returned, to be taken off Redis's balance too.
    await one.usage.seedCredits(key.tenantId, pool);
    expect(await one.usage.chargeCredits(randomUUID(), [{ ...charge, amount: 3 }])).toEqual([{ ...charge, seed: 1, amount: 3 }]);
    expect((await durableCredits(key.id)).remaining).toBe(90);

    // A PATCH of remaining (version 1): charges against version 0 no longer count.
    await sql('owner', `UPDATE api_keys SET remaining = 50, credits_version = credits_version + 1 WHERE id = $1`, [key.id]);
    expect(await one.usage.chargeCredits(randomUUID(), [{ ...charge, seed: 1 }])).toEqual([]);
    expect(await durableCredits(key.id)).toEqual({ remaining: 50, version: 1, seed: 1 });
  });

  it('applies a refill in PostgreSQL when a charge of a later period is written back, and drops charges of an earlier period', async () => {
    const key = await insertCreditedKey(5);
    const refill = { interval: 'daily' as const, amount: 100, dayOfMonth: null };
    const period = refillPeriod(refill, Date.now());
    await sql('owner', `UPDATE api_keys SET refill_interval = 'daily', refill_amount = 100, credits_period = $2 WHERE id = $1`, [
      key.id,
      period - 1,
    ]);
    const pool = { kind: 'key' as const, id: key.id };
    const charge = { pool, version: 0, seed: 0, period, periodStart: refillPeriodStart(refill, period), amount: 3 };
    expect(await one.usage.chargeCredits(randomUUID(), [charge])).toEqual([]);
    const [after] = await sql<{ remaining: string; credits_period: string; refilled_at: Date }>(
      'owner',
      `SELECT remaining, credits_period, refilled_at FROM api_keys WHERE id = $1`,
      [key.id],
    );
    expect(after).toEqual({ remaining: '97', credits_period: String(period), refilled_at: refillPeriodStart(refill, period) });
    // A charge made in the period before, written back late: its balance was replaced by the refill.
    await one.usage.chargeCredits(randomUUID(), [{ ...charge, period: period - 1, amount: 50 }]);
    // A top-up (a negative charge) of the current period adds.
    await one.usage.chargeCredits(randomUUID(), [{ ...charge, amount: -10 }]);
    expect((await durableCredits(key.id)).remaining).toBe(107);
  });

  it("shares an owner's credits among its keys, seeded from and written back to the owner record", async () => {
    const { owner, keys } = await insertCreditedOwner(10, 3);
    const outcomes = await Promise.all(Array.from({ length: 15 }, (_, i) => one.check(keys[i % 3], 1, true, owner)));
    expect(outcomes.filter((outcome) => outcome.verdict === 'VALID')).toHaveLength(10);
    expect(outcomes.filter((outcome) => outcome.verdict === 'USAGE_EXCEEDED')).toHaveLength(5);
    // From the other process too: nothing is left.
    expect((await other.check(keys[0], 1, true, owner)).verdict).toBe('USAGE_EXCEEDED');
    await one.writeBack.flush();
    const [row] = await sql<{ remaining: string; credits_seed: string }>(
      'owner',
      `SELECT remaining, credits_seed FROM owners WHERE id = $1`,
      [owner.id],
    );
    expect(row).toEqual({ remaining: '0', credits_seed: '1' });
  });

  it('gives the app role nothing but the functions: no read or write of the write-back ledger', async () => {
    await expect(sql('app', 'SELECT * FROM credit_write_backs')).rejects.toMatchObject({ code: '42501' });
    await expect(sql('app', `INSERT INTO credit_write_backs (id) VALUES ($1)`, [randomUUID()])).rejects.toMatchObject({ code: '42501' });
  });

  it('seeds only within the key’s own tenant', async () => {
    const key = await insertCreditedKey(9);
    expect(await one.usage.seedCredits(randomUUID(), { kind: 'key', id: key.id })).toBeNull();
    expect(await one.usage.seedCredits(key.tenantId, { kind: 'key', id: key.id })).toEqual({ balance: 9, version: 0, seed: 1, period: -1 });
  });
});
