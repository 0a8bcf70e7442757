// `npm start`'s launcher as a real process tree (support/launcher-process.ts), twice at once: two
// installations (two data folders, each with its embedded PostgreSQL) on the run's one Redis.
// Issue 14, First run: each installation keeps its Redis keys under a prefix of its own, so neither
// worker takes the other's jobs and neither dashboard shows the other's runs; and the launcher
// watches its embedded PostgreSQL: killed, it is restarted on its port and the apps come back,
// with a line that says what happened. See docs/local-setup.md.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRedisTarget } from '../libs/platform/src/config/keyward-config';
import { createRedisConnection, keysUnder, masterConnections } from '../libs/platform/src/redis/redis-connection';
import { client } from './support/http-client';
import { jobResult, startJobRun } from './support/jobs';
import { startLauncher, type RunningLauncher } from './support/launcher-process';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

interface Installation {
  launcher: RunningLauncher;
  redisKeyPrefix: string;
}

async function readyz(url: string): Promise<number> {
  try {
    return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })).status;
  } catch {
    return 0;
  }
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  // Only an installation's own prefix, as the banner printed it: never the bare default or anything wider.
  if (!/^keyward:[0-9a-f]{8}:$/.test(prefix)) throw new Error(`refusing to delete keys under ${prefix}`);
  const redis = createRedisConnection(loadRedisTarget({ REDIS_URL: process.env.KEYWARD_TEST_REDIS_URL }), 'keyward-test-launcher-cleanup');
  try {
    await new Promise((ready) => redis.once('ready', ready));
    for (const master of masterConnections(redis)) {
      for await (const keys of keysUnder(master, prefix)) await Promise.all(keys.map((key) => master.del(key)));
    }
  } finally {
    redis.disconnect();
  }
}

describe('the launcher (npm start), two installations on one Redis', () => {
  const installations: Installation[] = [];
  const folders: string[] = [];

  beforeAll(async () => {
    const started = await Promise.allSettled(
      ['a', 'b'].map(async (name) => {
        const folder = mkdtempSync(join(tmpdir(), `keyward-launcher-${name}-`));
        folders.push(folder);
        chmodSync(folder, 0o755); // reachable by the postgres user when run as root: no relocation
        const launcher = await startLauncher(join(folder, '.data'));
        const redisKeyPrefix = launcher.output().match(/Redis keys {4}under (\S+) \(this installation's own\)/)?.[1] ?? '';
        installations.push({ launcher, redisKeyPrefix });
      }),
    );
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }, 240_000);

  afterAll(async () => {
    for (const { launcher, redisKeyPrefix } of installations) {
      await launcher.stop();
      if (/^keyward:[0-9a-f]{8}:$/.test(redisKeyPrefix)) await deleteRedisKeys(redisKeyPrefix);
    }
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }, 120_000);

  it('gives each installation a Redis key prefix of its own, printed in the banner', () => {
    const [a, b] = installations;
    expect(a.redisKeyPrefix).toMatch(/^keyward:[0-9a-f]{8}:$/);
    expect(b.redisKeyPrefix).toMatch(/^keyward:[0-9a-f]{8}:$/);
    expect(a.redisKeyPrefix).not.toBe(b.redisKeyPrefix);
  });

  it("has each installation's worker run its own jobs only, and each dashboard show its own runs only", async () => {
    const runs = await Promise.all(installations.map(({ launcher }) => startJobRun(launcher.adminUrl, 'expiry')));
    for (const [i, { launcher }] of installations.entries()) {
      // Run by this installation's worker: the run completes, and its result is there.
      expect(await jobResult(launcher.adminUrl, runs[i])).toEqual(expect.any(Object));
      const other = runs[1 - i];
      const api = client(launcher.adminUrl, TEST_PLATFORM_TOKEN);
      expect((await api.get(`/v1/jobs/${other}`)).status).toBe(404);
      const overview = await api.get('/v1/jobs');
      expect(overview.status).toBe(200);
      const listed = JSON.stringify(overview.body);
      expect(listed).toContain(runs[i]);
      expect(listed).not.toContain(other);
    }
  }, 60_000);

  it('restarts a killed embedded PostgreSQL on its port, says so, and the apps are ready again', async () => {
    const { launcher } = installations[0];
    const pid = launcher.postgresPid();
    expect(pid).toEqual(expect.any(Number));
    const from = launcher.output().length;
    const killedAt = Date.now();
    process.kill(pid!, 'SIGKILL');

    await launcher.waitForOutput(
      /\[keyward\] PostgreSQL stopped unexpectedly \(killed by SIGKILL\); restarting it on port \d+/,
      5_000,
      from,
    );
    await launcher.waitForOutput(/\[keyward\] PostgreSQL is running again/, 15_000, from);
    let status = 0;
    while (Date.now() - killedAt < 15_000 && (status = await readyz(launcher.adminUrl)) !== 200)
      await new Promise((wait) => setTimeout(wait, 200));
    expect(status).toBe(200);
    expect(launcher.postgresPid()).not.toBe(pid);
    // The worker reaches PostgreSQL again: a new run completes.
    expect(await jobResult(launcher.adminUrl, await startJobRun(launcher.adminUrl, 'expiry'))).toEqual(expect.any(Object));
    for (const app of [launcher.verifyUrl, launcher.workerUrl]) expect(await readyz(app)).toBe(200);
  }, 60_000);

  it('stops every process of both installations on SIGINT', async () => {
    for (const { launcher } of installations) {
      const stopped = await launcher.stop();
      expect(stopped).toMatchObject({ code: 0, leftovers: [] });
      expect(launcher.output()).toMatch(/\[keyward\] Stopped\./);
    }
  }, 120_000);
});
