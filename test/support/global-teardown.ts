import Redis from 'ioredis';
import { rmSync } from 'node:fs';
import { Client, escapeIdentifier } from 'pg';

/** Drops the run's database, role and Redis keys, and stops whatever the setup started. */
export default async function globalTeardown(): Promise<void> {
  const run = globalThis.keywardTestRun;
  if (!run) return;
  if (!run.database.startsWith('keyward_test_')) throw new Error(`Refusing to drop ${run.database}: not a test database`);
  const server = new URL(run.ownerUrl);
  server.pathname = '/postgres';
  const client = new Client({ connectionString: server.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(run.database)} WITH (FORCE)`);
    await client.query(`DROP ROLE IF EXISTS ${escapeIdentifier(`${run.database}_service`)}`);
  } finally {
    await client.end();
  }
  const redis = new Redis(run.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${process.env.KEYWARD_TEST_REDIS_PREFIX}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  await run.redis.stop();
  await run.postgres?.stop();
  if (run.embeddedDir) rmSync(run.embeddedDir, { recursive: true, force: true });
}
