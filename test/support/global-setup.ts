// Gives this test run its own database (on DATABASE_URL's server, else on the embedded one) and its
// own Redis key prefix, so runs never collide. Workers read the results from the environment.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { provisionDatabase } from '../../libs/platform/src/database/provision';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/dev-services/embedded-postgres';
import { findOrStartRedis, type LocalRedis } from '../../scripts/dev-services/local-redis';

export interface TestRun {
  postgres: EmbeddedPostgres | null;
  embeddedDir: string | null;
  redis: LocalRedis;
  ownerUrl: string;
  database: string;
}

declare global {
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
  // Without DATABASE_URL each run starts its own embedded cluster in a temporary folder, so two
  // runs at once never share (or stop) each other's server.
  let embeddedDir: string | null = null;
  if (!process.env.DATABASE_URL) {
    embeddedDir = mkdtempSync(join(tmpdir(), 'keyward-test-pg-'));
    chmodSync(embeddedDir, 0o755); // the cluster may run as the 'postgres' system user
  }
  const postgres = embeddedDir ? await startEmbeddedPostgres(embeddedDir, { database: 'postgres' }) : null;
  const ownerUrl = withDatabase(process.env.DATABASE_URL || postgres!.url, database);
  const { appUrl } = await provisionDatabase(ownerUrl);
  const redis = await findOrStartRedis(resolve('.data', 'test'), process.env.REDIS_URL);

  globalThis.keywardTestRun = { postgres, embeddedDir, redis, ownerUrl, database };
  process.env.KEYWARD_TEST_OWNER_URL = ownerUrl;
  process.env.KEYWARD_TEST_APP_URL = appUrl;
  process.env.KEYWARD_TEST_REDIS_URL = redis.url;
  process.env.KEYWARD_TEST_REDIS_PREFIX = `kwtest:${database}:`;
}
