import { TenantTransactions, ValidationFailedError } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { KeyNotFoundError } from '../domain/api-key';
import { KeysRepository } from '../keys.repository';
import { KeyUsageRepository, type UsageGranularity } from '../usage/key-usage.repository';

export interface UsageBucket {
  start: string;
  total: number;
  counts: Record<string, number>;
}

export interface KeyUsage {
  keyId: string;
  granularity: UsageGranularity;
  buckets: UsageBucket[];
}

const HOUR_MS = 3_600_000;
const DEFAULT_SPAN_MS: Record<UsageGranularity, number> = { hour: 24 * HOUR_MS, day: 30 * 24 * HOUR_MS };
const MAX_BUCKETS = 2_000;

/** Verifications of one key per hour or day and per code (buckets without traffic are left out). */
@Injectable()
export class GetKeyUsageUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly keys: KeysRepository,
    private readonly usage: KeyUsageRepository,
  ) {}

  async execute(query: { tenantId: string; keyId: string; granularity: UsageGranularity; from?: Date; to?: Date }): Promise<KeyUsage> {
    const to = query.to ?? new Date();
    const from = query.from ?? new Date(to.getTime() - DEFAULT_SPAN_MS[query.granularity]);
    if (from.getTime() >= to.getTime()) throw new ValidationFailedError([{ field: 'from', message: 'must be before to' }]);
    const bucketMs = query.granularity === 'hour' ? HOUR_MS : 24 * HOUR_MS;
    if ((to.getTime() - from.getTime()) / bucketMs > MAX_BUCKETS) {
      throw new ValidationFailedError([{ field: 'from', message: `spans more than ${MAX_BUCKETS} ${query.granularity}s` }]);
    }
    const rows = await this.transactions.run(query.tenantId, async (tx) => {
      if (!(await this.keys.findById(tx, query.keyId))) throw new KeyNotFoundError();
      return this.usage.buckets(tx, query.keyId, query.granularity, from, to);
    });
    const buckets = new Map<string, UsageBucket>();
    for (const row of rows) {
      const start = new Date(row.start).toISOString();
      const bucket = buckets.get(start) ?? { start, total: 0, counts: {} };
      bucket.counts[row.code] = Number(row.count);
      bucket.total += Number(row.count);
      buckets.set(start, bucket);
    }
    return { keyId: query.keyId, granularity: query.granularity, buckets: [...buckets.values()] };
  }
}
