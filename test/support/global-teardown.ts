import { rmSync } from 'node:fs';
import { Client, escapeIdentifier } from 'pg';
import { loadRedisTarget } from '../../libs/platform/src/config/keyward-config';
import { createRedisConnection, keysUnder, masterConnections } from '../../libs/platform/src/redis/redis-connection';

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
  await dropRedisKeys(run.redis.url, process.env.KEYWARD_TEST_REDIS_PREFIX!);
  await run.redis.stop();
  await run.postgres?.stop();
  // The cluster's files, also where they were relocated to (as root, out of the postgres user's reach in place).
  run.postgres?.removeFiles();
  if (run.embeddedDir) rmSync(run.embeddedDir, { recursive: true, force: true });
}

/**
 * Deletes every key under `prefix`, BullMQ's too (`{<prefix>bull}...`: the prefix inside its hash
 * tag). SCAN walks one node's keys, so in a Redis Cluster it runs on every master; each key is
 * deleted on its own (a DEL of several keys must stay within one slot).
 */
async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = createRedisConnection(loadRedisTarget({ REDIS_URL: url }), 'keyward-test-teardown');
  try {
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', resolve);
      setTimeout(() => reject(new Error('Redis was not ready within 10 s: the run leaves its keys')), 10_000).unref();
    });
    for (const master of masterConnections(redis)) {
      for await (const keys of keysUnder(master, prefix)) await Promise.all(keys.map((key) => master.del(key)));
    }
  } finally {
    redis.disconnect();
  }
}
