// Gives this test run its own database (on DATABASE_URL's server, else on the embedded one) and its
// own Redis key prefix, so runs never collide. Workers read the results from the environment.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { provisionDatabase } from '../../libs/platform/src/database/provision';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/dev-services/embedded-postgres';
import { findOrStartRedis, type LocalRedis } from '../../scripts/dev-services/local-redis';

export interface TestRun {
  postgres: EmbeddedPostgres | null;
  redis: LocalRedis;
  ownerUrl: string;
  database: string;
}

declare global {
  // eslint-disable-next-line no-var
  var keywardTestRun: TestRun | undefined;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export default async function globalSetup(): Promise<void> {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const database = `keyward_test_${stamp}_${randomBytes(3).toString('hex')}`;
  const postgres = process.env.DATABASE_URL
    ? null
    : await startEmbeddedPostgres(resolve('.data', 'test'), { database: 'postgres' });
  const ownerUrl = withDatabase(process.env.DATABASE_URL || postgres!.url, database);
  const { appUrl } = await provisionDatabase(ownerUrl);
  const redis = await findOrStartRedis(resolve('.data', 'test'), process.env.REDIS_URL);

  globalThis.keywardTestRun = { postgres, redis, ownerUrl, database };
  process.env.KEYWARD_TEST_OWNER_URL = ownerUrl;
  process.env.KEYWARD_TEST_APP_URL = appUrl;
  process.env.KEYWARD_TEST_REDIS_URL = redis.url;
  process.env.KEYWARD_TEST_REDIS_PREFIX = `kwtest:${database}:`;
}
