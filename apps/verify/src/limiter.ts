// The shared counters of keys and owners (named limits and credit pools) behind a short time-out,
// with the behaviour VERIFY_LIMITS_ON_REDIS_DOWN selects when Redis does not answer in time. The
// checks made in one turn of the event loop (two, when fewer than SMALL_BATCH) go to Redis as one
// batch (on a cluster, one per hash tag, as a script runs on one slot): under load, one script call
// per turn instead of one per verification. A pool whose balance Redis does not hold is seeded from PostgreSQL, then the check
// is made again.
import {
  CreditsSeeder,
  KeyCounters,
  SEED_TIMEOUT_MS,
  type BatchResult,
  type CallResult,
  type ConsumeBatch,
  type CounterCall,
  type LimitSpec,
  type LimitState,
  type PoolSpec,
} from '@keyward/keys';
import { FixedTimeout, KEYWARD_CONFIG, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { ChargePlan } from './charge-plan';
import { CreditsWriteBack } from './credits-write-back';
import { VerifyMetrics } from './verify-metrics';

const REDIS_TIMEOUT_MS = 250;

export interface LimitOutcome {
  verdict: 'VALID' | 'RATE_LIMITED' | 'USAGE_EXCEEDED' | 'REUSED';
  plan: ChargePlan;
  /** Per applied limit of the plan (null: the fallback answered). */
  limits: LimitState[] | null;
  /** Per pool of the plan: credits left (null: the fallback answered). */
  balances: Array<number | null> | null;
  /** True when Redis could not be asked and the configured fallback answered. */
  fallback: boolean;
  /** Answered from the idempotency record of an earlier call (a retried verification): nothing charged now. */
  replayed: boolean;
}

/** A batch of fewer checks waits one more turn of the event loop for others (see flush). */
const SMALL_BATCH = 16;

/** The most hash tags (keys, or owners with their keys) in one batch: bounds how long one script holds Redis. */
const MAX_TAGS_PER_BATCH = 64;

/** How often the estimate of Redis's clock is refreshed (clocks drift slowly). */
const CLOCK_SYNC_INTERVAL_MS = 30_000;
/**
 * The script's deadline falls this long before our time-out: a call Redis runs in time answers
 * before we stop waiting, even with this much error in the estimate of Redis's clock.
 */
const CLOCK_MARGIN_MS = 50;

interface PendingCheck {
  plan: ChargePlan;
  consume: boolean;
  idempotency?: CounterCall['idempotency'];
  settle: (outcome: LimitOutcome) => void;
  /** When this check first found its key's balance missing (epoch ms); it waits for a seed at most SEED_TIMEOUT_MS. */
  unseededSince: number | null;
}

@Injectable()
export class Limiter implements OnModuleInit, OnModuleDestroy {
  /** The checks waiting for this turn's batch, by hash tag (one cluster slot each). */
  private pending = new Map<string, PendingCheck[]>();
  private flushScheduled = false;
  /** Checks waiting for the next batch, of every tag. */
  private pendingChecks = 0;
  /** Whether the batch waiting has already waited one more turn (see flush). */
  private heldOneTurn = false;
  /** Redis's clock minus ours; null until first measured (then calls carry no deadline). */
  private clockOffset: number | null = null;
  private clockTimer?: NodeJS.Timeout;
  private readonly timeout = new FixedTimeout(REDIS_TIMEOUT_MS, 'Redis');
  /**
   * Names this process's batches: with the sequence number it makes each batch's id unique across
   * every verify process (64 random bits), at less cost than a UUID per batch.
   */
  private readonly callPrefix = randomBytes(8).toString('base64url');
  private callSequence = 0;

  constructor(
    private readonly counters: KeyCounters,
    private readonly seeder: CreditsSeeder,
    private readonly creditsWriteBack: CreditsWriteBack,
    private readonly metrics: VerifyMetrics,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  onModuleInit(): void {
    // Measured again every interval; retried each second until the first measure succeeds (at
    // boot the Redis connection may not be up yet).
    const sync = (): void => {
      this.counters.redisClockOffset().then(
        (offset) => {
          this.clockOffset = offset;
          this.clockTimer = setTimeout(sync, CLOCK_SYNC_INTERVAL_MS).unref();
        },
        () => {
          this.clockTimer = setTimeout(sync, this.clockOffset === null ? 1_000 : CLOCK_SYNC_INTERVAL_MS).unref();
        },
      );
    };
    sync();
  }

  onModuleDestroy(): void {
    clearTimeout(this.clockTimer);
  }

  /**
   * Checks (and with `consume`, charges) every limit and pool of the plan, all or nothing; only a
   * VALID verdict is charged, and only once, however the batch it goes in is retried. The checks
   * of one turn are decided in the order they were made, each on the counters the ones before it left.
   */
  check(plan: ChargePlan, consume: boolean, idempotency?: CounterCall['idempotency']): Promise<LimitOutcome> {
    return new Promise((settle) => this.enqueue({ plan, consume, idempotency, settle, unseededSince: null }));
  }

  private enqueue(check: PendingCheck): void {
    let checks = this.pending.get(check.plan.tag);
    if (!checks) this.pending.set(check.plan.tag, (checks = []));
    checks.push(check);
    this.pendingChecks++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // After this turn's I/O callbacks: every request read in this turn joins its batch.
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    // A small batch waits one more turn of the event loop, never more: under load the requests
    // read in that turn join it, and one script call serves them all (docs/architecture.md,
    // Limit checks in batches). Idle, it costs one turn, a few microseconds.
    if (this.pendingChecks < SMALL_BATCH && !this.heldOneTurn) {
      this.heldOneTurn = true;
      setImmediate(this.flush);
      return;
    }
    this.heldOneTurn = false;
    this.pendingChecks = 0;
    this.flushScheduled = false;
    const pending = [...this.pending.values()];
    this.pending = new Map();
    const perBatch = this.config.redis.mode === 'cluster' ? 1 : MAX_TAGS_PER_BATCH;
    for (let i = 0; i < pending.length; i += perBatch) void this.send(pending.slice(i, i + perBatch).flat());
  };

  /** The batch of these checks: each limit and pool once (by its counter), each check one call. */
  private batchOf(checks: PendingCheck[]): ConsumeBatch {
    const batch: ConsumeBatch = {
      operationId: `${this.callPrefix}${++this.callSequence}`,
      tag: checks[0].plan.tag,
      // Past our time-out we answer without Redis: a batch that runs later must not charge.
      deadline: this.clockOffset === null ? undefined : Date.now() + this.clockOffset + REDIS_TIMEOUT_MS - CLOCK_MARGIN_MS,
      limits: [],
      pools: [],
      calls: [],
    };
    // Each spec once (by identity: a plan's specs are made once per pair of records), and the
    // calls of one plan share their index lists, so that alike calls go to Redis as one run.
    const indexes = new Map<LimitSpec | PoolSpec, number>();
    const indexOf = <T extends LimitSpec | PoolSpec>(specs: T[], spec: T): number => {
      let index = indexes.get(spec);
      if (index === undefined) indexes.set(spec, (index = specs.push(spec) - 1));
      return index;
    };
    const shapes = new Map<ChargePlan, Pick<CounterCall, 'limits' | 'pools'>>();
    for (const { plan, consume, idempotency } of checks) {
      let shape = shapes.get(plan);
      if (!shape) {
        shape = {
          limits: plan.limitCosts.map(([i, cost]): [number, number] => [indexOf(batch.limits, plan.limits[i].spec), cost]),
          pools: plan.poolCosts.map(([i, cost]): [number, number] => [indexOf(batch.pools, plan.pools[i]), cost]),
        };
        shapes.set(plan, shape);
      }
      batch.calls.push({ consume, limits: shape.limits, pools: shape.pools, idempotency });
    }
    return batch;
  }

  private async send(checks: PendingCheck[]): Promise<void> {
    const batch = this.batchOf(checks);
    const request = this.counters.consumeBatch(batch);
    let answeredWithout = false;
    // What Redis charged is written back even when it answers after our time-out, unless the
    // fallback answered those verifications as refused: then it is given back instead.
    request
      .then((result) => {
        if (answeredWithout && this.config.verifyLimitsOnRedisDown !== 'allow') {
          return this.counters.undo(batch, result, [...checks.keys()]);
        }
        this.noteCharges(checks, batch, result);
      })
      .catch(() => undefined);
    let results: CallResult[] | null;
    try {
      results = (await this.timeout.bound(request)).calls;
      if (results[0].verdict === 'TOO_LATE') throw new Error('Redis answered after the deadline');
    } catch {
      results = null;
      answeredWithout = true;
    }
    const unseeded: PendingCheck[] = [];
    checks.forEach((check, i) => {
      const result = results?.[i];
      if (!result) return check.settle(this.fallback(check.plan));
      if (result.verdict === 'UNSEEDED') return unseeded.push(check);
      check.settle({
        verdict: result.verdict as LimitOutcome['verdict'],
        plan: check.plan,
        limits: result.limits,
        balances: result.balances,
        fallback: false,
        replayed: result.replayed,
      });
    });
    for (const check of unseeded) this.seedThenRetry(check, results![checks.indexOf(check)]);
  }

  /** Notes what the batch charged to each pool, summed over its calls: one note per pool, not per call. */
  private noteCharges(checks: PendingCheck[], batch: ConsumeBatch, result: BatchResult): void {
    const charged: number[] = new Array<number>(batch.pools.length).fill(0);
    const hashTags: string[] = [];
    checks.forEach((check, i) => {
      // A replay (a retried verification) was charged when it was first decided.
      if (result.calls[i].verdict !== 'VALID' || result.calls[i].replayed || !check.consume) return;
      for (const [index, cost] of batch.calls[i].pools) {
        charged[index] += cost;
        hashTags[index] = check.plan.tag;
      }
    });
    charged.forEach((amount, index) => {
      const tag = result.pools[index];
      if (tag && amount > 0) this.creditsWriteBack.noteCharged(hashTags[index], batch.pools[index], tag, amount);
    });
  }

  /**
   * Seeds the pools of the plan that Redis lacks from PostgreSQL (or waits while another process
   * does), then asks again; a check that has waited SEED_TIMEOUT_MS in all gets the fallback answer.
   */
  private seedThenRetry(check: PendingCheck, result: CallResult): void {
    check.unseededSince ??= Date.now();
    const missing = check.plan.pools.filter((_, i) => result.balances[i] === null);
    Promise.all(missing.map((spec) => this.seeder.seed(check.plan.tenantId, check.plan.tag, spec))).then(
      () => {
        if (check.unseededSince! < Date.now() - SEED_TIMEOUT_MS) check.settle(this.fallback(check.plan, 'postgres'));
        else this.enqueue(check);
      },
      () => check.settle(this.fallback(check.plan, 'postgres')),
    );
  }

  /** What a check answers when Redis (or, to seed a balance, PostgreSQL) could not be asked in time. */
  private fallback(plan: ChargePlan, store: 'redis' | 'postgres' = 'redis'): LimitOutcome {
    this.metrics.storeErrors.inc({ store });
    return {
      verdict: this.config.verifyLimitsOnRedisDown === 'allow' ? 'VALID' : 'RATE_LIMITED',
      plan,
      limits: null,
      balances: null,
      fallback: true,
      replayed: false,
    };
  }
}
