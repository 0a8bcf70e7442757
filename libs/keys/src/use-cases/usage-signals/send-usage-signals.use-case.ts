import { TenantTransactions, type TenantTx } from '@keyward/platform';
import { PolicyRepository, type TenantPolicy } from '@keyward/policy';
import { WebhookOutbox, type UsageSignalType, type WebhookEvent } from '@keyward/webhooks';
import { Injectable, Logger } from '@nestjs/common';
import { UsageSignalsRepository, type SignalCandidate, type SignalledKey, type SignalSubject } from './usage-signals.repository';

/** What one run sent, by signal type (GET /v1/jobs/{jobId} `result`), and the tenants whose pass failed. */
export interface SignalsRunReport {
  credits_low: number;
  limit_near: number;
  rate_limited: number;
  usage_spike: number;
  new_source: number;
  /** Tenants whose pass failed; nothing of theirs was recorded, and the next run looks again. */
  failed: number;
}

const HOUR_MS = 3_600_000;
const PAGE_SIZE = 1_000;
/** State and peaks are kept a day past the hours a run looks at (for a look while investigating), then deleted. */
const KEPT_MS = 24 * HOUR_MS;
const PRUNE_BATCH = 10_000;

/** A signal decided for a subject and hour, with the webhook's `data`. */
interface Decided extends SignalSubject {
  data: WebhookEvent['data'];
}

type SignalCounts = Map<keyof Omit<SignalsRunReport, 'failed'>, number>;

/** Decides one type's signals of a tenant's candidate keys, for the hours from `since` (`hour`: the current one). */
type Decider = (tx: TenantTx, keyIds: string[], since: Date, hour: Date, keys: Map<string, SignalledKey>) => Promise<Decided[]>;

/**
 * One pass of the `signals` job (docs/api.md, Usage signals; docs/operations.md, Scheduled jobs):
 * from what verify wrote (hourly counts per code, limit peaks, networks, balances), decides the
 * signals of the previous and the current hour and sends each at most once per key (or owner) and
 * hour. Each tenant is one transaction holding both the signal_state rows and the webhooks: a run
 * that fails half-way leaves the tenant untouched, and a second run (or worker) racing it waits on
 * the unique rows and then finds them taken, so it sends nothing twice.
 */
@Injectable()
export class SendUsageSignalsUseCase {
  private readonly logger = new Logger(SendUsageSignalsUseCase.name);

  constructor(
    private readonly transactions: TenantTransactions,
    private readonly signals: UsageSignalsRepository,
    private readonly policies: PolicyRepository,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async execute(now = new Date()): Promise<SignalsRunReport> {
    const report: SignalsRunReport = { credits_low: 0, limit_near: 0, rate_limited: 0, usage_spike: 0, new_source: 0, failed: 0 };
    const currentHour = new Date(now.getTime() - (now.getTime() % HOUR_MS));
    const since = new Date(currentHour.getTime() - HOUR_MS);
    await this.signals.prune(new Date(since.getTime() - KEPT_MS), PRUNE_BATCH);

    let after: SignalCandidate | null = null;
    for (;;) {
      const page = await this.signals.candidates(since, after, PAGE_SIZE);
      for (const [tenantId, keyIds] of byTenant(page)) {
        try {
          const sent = await this.transactions.run(tenantId, (tx) => this.signalTenant(tx, keyIds, since, currentHour));
          for (const [type, count] of sent) report[type] += count;
        } catch (error) {
          report.failed++;
          this.logger.warn({ err: error, tenantId }, 'Sending usage signals failed; the next run looks again');
        }
      }
      if (page.length < PAGE_SIZE) break;
      after = page[page.length - 1];
    }
    return report;
  }

  /** Decides and sends the signals of one tenant's candidate keys; answers how many of each type were sent. */
  private async signalTenant(tx: TenantTx, keyIds: string[], since: Date, currentHour: Date): Promise<SignalCounts> {
    const policy = await this.policies.find(tx);
    const keys = await this.signals.keys(tx, keyIds);
    const sent: SignalCounts = new Map();
    for (const [type, decide] of this.deciders(policy)) {
      const claimed = await this.signals.claim(tx, type, await decide(tx, keyIds, since, currentHour, keys));
      await this.webhooks.enqueueAll(
        tx,
        claimed.map(({ data }) => ({ type, data })),
      );
      sent.set(type.slice('key.'.length) as keyof Omit<SignalsRunReport, 'failed'>, claimed.length);
    }
    return sent;
  }

  /** Per signal type, how its signals are decided under `policy` (key.new_source only when the policy enables it). */
  private deciders(policy: TenantPolicy): Array<[UsageSignalType, Decider]> {
    const aboutKey = (keys: Map<string, SignalledKey>, keyId: string) => {
      const key = keys.get(keyId);
      return { keyId, ownerId: key?.ownerId ?? null, name: key?.name ?? null };
    };
    const deciders: Array<[UsageSignalType, Decider]> = [
      [
        'key.credits_low',
        async (tx, keyIds, _since, hour) =>
          (await this.signals.lowCredits(tx, keyIds, policy.creditsLowPercent)).map((low) => ({
            subjectId: low.subjectId,
            hour,
            data: {
              scope: low.keyId === null ? 'owner' : 'key',
              keyId: low.keyId,
              ownerId: low.ownerId,
              name: low.name,
              remaining: low.remaining,
              reference: low.reference,
              thresholdPercent: policy.creditsLowPercent,
            },
          })),
      ],
      [
        'key.limit_near',
        async (tx, keyIds, since, _hour, keys) =>
          (await this.signals.limitPeaks(tx, keyIds, since, policy.limitNearPercent)).map((peak) => ({
            ...peak,
            data: {
              ...aboutKey(keys, peak.subjectId),
              limit: { name: peak.limitName, scope: peak.scope },
              percentUsed: peak.percentUsed,
              thresholdPercent: policy.limitNearPercent,
              hour: peak.hour.toISOString(),
            },
          })),
      ],
      [
        'key.rate_limited',
        async (tx, keyIds, since, _hour, keys) =>
          (await this.signals.rateLimited(tx, keyIds, since)).map((limited) => ({
            ...limited,
            data: { ...aboutKey(keys, limited.subjectId), hour: limited.hour.toISOString(), count: limited.count },
          })),
      ],
      [
        'key.usage_spike',
        async (tx, keyIds, since, _hour, keys) =>
          (await this.signals.usageSpikes(tx, keyIds, since, policy.spikeFactor, policy.spikeMinimum)).map((spike) => ({
            ...spike,
            data: {
              ...aboutKey(keys, spike.subjectId),
              hour: spike.hour.toISOString(),
              count: spike.count,
              averageHourly: spike.averageHourly,
              spikeFactor: policy.spikeFactor,
            },
          })),
      ],
    ];
    if (policy.newSourceSignals) {
      deciders.push([
        'key.new_source',
        async (tx, keyIds, since, _hour, keys) =>
          (await this.signals.newSources(tx, keyIds, since)).map((source) => ({
            ...source,
            data: { ...aboutKey(keys, source.subjectId), network: source.network, seenAt: source.seenAt.toISOString() },
          })),
      ]);
    }
    return deciders;
  }
}

/** The candidates of a page grouped by tenant (the page is in tenant order). */
function byTenant(page: SignalCandidate[]): Map<string, string[]> {
  const tenants = new Map<string, string[]>();
  for (const { tenantId, keyId } of page) {
    let keyIds = tenants.get(tenantId);
    if (!keyIds) tenants.set(tenantId, (keyIds = []));
    keyIds.push(keyId);
  }
  return tenants;
}
