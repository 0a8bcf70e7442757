// The verify service's credit parts wired as the verify module wires them, on the run's real
// PostgreSQL (as the app role) and Redis, for tests below HTTP: the limiter, the seeder and the
// write-back, with keys that have rows in PostgreSQL (insertCreditedKey).
import { CreditsSeeder, KeyCounters, KeyUsageRepository, type VerifiableOwner } from '@keyward/keys';
import { Metrics, createRedisConnection, type KeywardConfig, type RedisClient } from '@keyward/platform';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChargePlans } from '../../apps/verify/src/charge-plan';
import { CreditsWriteBack } from '../../apps/verify/src/credits-write-back';
import { Limiter, type LimitOutcome } from '../../apps/verify/src/limiter';
import { VerifyMetrics } from '../../apps/verify/src/verify-metrics';
import { sql } from './database';
import { verifiableKey } from './verifiable-key';
import type { VerifiableKey } from '@keyward/keys';

export interface CreditComponents {
  redis: RedisClient;
  dataSource: DataSource;
  counters: KeyCounters;
  usage: KeyUsageRepository;
  writeBack: CreditsWriteBack;
  seeder: CreditsSeeder;
  limiter: Limiter;
  metrics: VerifyMetrics;
  /** A check of the key (and owner) as verify makes it: its plan for `cost`, through the limiter. */
  check(key: VerifiableKey, cost?: number, consume?: boolean, owner?: VerifiableOwner | null): Promise<LimitOutcome>;
  close(): Promise<void>;
}

export async function creditComponents(config: KeywardConfig, name: string): Promise<CreditComponents> {
  const redis = createRedisConnection(config.redis, name);
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  const dataSource = await new DataSource({ type: 'postgres', url: process.env.KEYWARD_TEST_APP_URL, extra: { max: 4 } }).initialize();
  const metrics = new VerifyMetrics(new Metrics(`${name}-${randomUUID()}`));
  const counters = new KeyCounters(redis, config);
  const usage = new KeyUsageRepository(dataSource);
  const seeder = new CreditsSeeder(counters, usage);
  const writeBack = new CreditsWriteBack(counters, usage, metrics, seeder);
  const limiter = new Limiter(counters, seeder, writeBack, metrics, config);
  const plans = new ChargePlans(counters);
  return {
    redis,
    dataSource,
    counters,
    usage,
    writeBack,
    seeder,
    limiter,
    metrics,
    check: (key, cost = 1, consume = true, owner = null) => limiter.check(plans.planFor(key, owner, { key: '', cost })!, consume),
    close: async () => {
      limiter.onModuleDestroy();
      await dataSource.destroy();
      await redis.quit();
    },
  };
}

/** A tenant and a key with `remaining` credits in PostgreSQL, and its record as verify caches it. */
export async function insertCreditedKey(remaining: number, overrides: Partial<VerifiableKey> = {}): Promise<VerifiableKey> {
  const [tenant] = await sql<{ id: string }>('owner', `INSERT INTO tenants (name) VALUES ($1) RETURNING id`, [
    `credits-${randomUUID().slice(0, 8)}`,
  ]);
  const [key] = await sql<{ id: string }>(
    'owner',
    `INSERT INTO api_keys (tenant_id, name, key_hash, start, environment, remaining) VALUES ($1, 'credited', $2, 'kw_test', 'test', $3) RETURNING id`,
    [tenant.id, randomBytes(32), remaining],
  );
  return verifiableKey({ id: key.id, tenantId: tenant.id, remaining, ...overrides });
}

/** The durable balance, version and seed of a key. */
export async function durableCredits(keyId: string): Promise<{ remaining: number; version: number; seed: number }> {
  const [row] = await sql<{ remaining: string; credits_version: string; credits_seed: string }>(
    'owner',
    `SELECT remaining, credits_version, credits_seed FROM api_keys WHERE id = $1`,
    [keyId],
  );
  return { remaining: Number(row.remaining), version: Number(row.credits_version), seed: Number(row.credits_seed) };
}

/** An owner record with `remaining` shared credits in a new tenant, and `keys` keys of it without credits of their own. */
export async function insertCreditedOwner(remaining: number, keys: number): Promise<{ owner: VerifiableOwner; keys: VerifiableKey[] }> {
  const [tenant] = await sql<{ id: string }>('owner', `INSERT INTO tenants (name) VALUES ($1) RETURNING id`, [
    `owner-credits-${randomUUID().slice(0, 8)}`,
  ]);
  const ownerId = `cus_${randomUUID().slice(0, 8)}`;
  const [row] = await sql<{ id: string }>('owner', `INSERT INTO owners (tenant_id, owner_id, remaining) VALUES ($1, $2, $3) RETURNING id`, [
    tenant.id,
    ownerId,
    remaining,
  ]);
  const owner: VerifiableOwner = {
    id: row.id,
    tenantId: tenant.id,
    ownerId,
    name: null,
    meta: {},
    rateLimits: [],
    remaining,
    creditsVersion: 0,
    creditsRefill: null,
  };
  const records: VerifiableKey[] = [];
  for (let i = 0; i < keys; i++) {
    const [key] = await sql<{ id: string }>(
      'owner',
      `INSERT INTO api_keys (tenant_id, name, owner_id, key_hash, start, environment) VALUES ($1, 'shared', $2, $3, 'kw_test', 'test') RETURNING id`,
      [tenant.id, ownerId, randomBytes(32)],
    );
    records.push(verifiableKey({ id: key.id, tenantId: tenant.id, ownerId, counterTag: KeyCounters.ownerTag(tenant.id, ownerId) }));
  }
  return { owner, keys: records };
}
