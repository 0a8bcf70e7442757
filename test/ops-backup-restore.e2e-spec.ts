// Backing up and restoring (docs/operations.md, Backups): a pg_dump of a database in use, restored
// with pg_restore into a fresh database and made ready with what `npm run migrate` does, serves an
// admin API whose audit chains verify as they did, to the same head hash.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, escapeIdentifier } from 'pg';
import { createDatabaseIfMissing, provisionDatabase } from '../libs/platform/src/database/provision';
import { createTenant, type TestTenant } from './support/builders';
import { useOwnDatabase } from './support/database';
import { client } from './support/http-client';
import { createKey } from './support/key-builders';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';
// The same look-up jest.config.js uses to leave this suite out on a machine without the tools.
import { whereOnMachine } from './support/machine-tools';

function tool(binary: 'pg_dump' | 'pg_restore'): string {
  const found = whereOnMachine(binary);
  if (found !== null) return found;
  throw new Error(
    `${binary} is not installed: this suite backs up and restores with it. Install Debian's package: apt-get install postgresql-client`,
  );
}

async function run(binary: 'pg_dump' | 'pg_restore', args: string[]): Promise<void> {
  try {
    await promisify(execFile)(tool(binary), args);
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`${binary} ${args.join(' ')} failed: ${stderr ?? String(error)}`);
  }
}

describe('backup and restore', () => {
  let dropOwnDatabase: () => Promise<void>;
  let admin: RunningHttpApp;
  let restoredAdmin: RunningHttpApp | undefined;
  let restoredUrl: URL | undefined;
  const folder = mkdtempSync(join(tmpdir(), 'keyward-backup-'));
  const tenants: TestTenant[] = [];

  beforeAll(async () => {
    dropOwnDatabase = await useOwnDatabase();
    admin = await startAdminApi();
    // Two tenants' chains, of a few events each: keys made, one revoked.
    for (let t = 0; t < 2; t++) {
      const tenant = await createTenant(admin.url);
      tenants.push(tenant);
      for (let k = 0; k < 3; k++) {
        const key = await createKey(admin.url, tenant.admin, { name: `backed-up-${k}` });
        if (k === 0) expect((await client(admin.url, tenant.admin).post(`/v1/keys/${key.id}/revoke`)).status).toBe(200);
      }
    }
  });
  afterAll(async () => {
    await Promise.all([admin?.close(), restoredAdmin?.close()]);
    if (restoredUrl) {
      const server = new URL(restoredUrl);
      server.pathname = '/postgres';
      const connection = new Client({ connectionString: server.toString() });
      await connection.connect();
      try {
        const name = restoredUrl.pathname.slice(1);
        await connection.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
        await connection.query(`DROP ROLE IF EXISTS ${escapeIdentifier(`${name}_service`)}`);
      } finally {
        await connection.end();
      }
    }
    await dropOwnDatabase?.();
    rmSync(folder, { recursive: true, force: true });
  });

  it('restores a pg_dump into a fresh database whose audit chains still verify, to the same head', async () => {
    const verdicts = async (url: string) =>
      Promise.all(tenants.map(async (tenant) => (await client(url, tenant.auditor).get('/v1/audit-events/verify')).body));
    const before = await verdicts(admin.url);
    for (const verdict of before)
      expect(verdict).toMatchObject({ valid: true, count: expect.any(Number), headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(before.every((verdict) => verdict.count >= 4)).toBe(true);

    // While the admin API still runs: pg_dump takes a consistent snapshot without stopping anyone.
    const ownerUrl = process.env.KEYWARD_TEST_OWNER_URL!;
    const dump = join(folder, 'keyward.dump');
    await run('pg_dump', ['--format=custom', `--file=${dump}`, ownerUrl]);

    restoredUrl = new URL(ownerUrl);
    restoredUrl.pathname = `${restoredUrl.pathname}_restored`;
    await createDatabaseIfMissing(restoredUrl.toString());
    await run('pg_restore', ['--exit-on-error', `--dbname=${restoredUrl.toString()}`, dump]);
    // What `npm run migrate` does next: nothing to apply, the apps' login role made ready.
    const { appUrl, applied } = await provisionDatabase(restoredUrl.toString());
    expect(applied).toEqual([]);

    restoredAdmin = await startAdminApi({ env: { DATABASE_APP_URL: appUrl } });
    expect(await verdicts(restoredAdmin.url)).toEqual(before);
    // And the restored database is the one that answered: a key made there is not in the original.
    const made = await createKey(restoredAdmin.url, tenants[0].admin, { name: 'after-restore' });
    expect((await client(admin.url, tenants[0].admin).get(`/v1/keys/${made.id}`)).status).toBe(404);
    expect((await client(restoredAdmin.url, tenants[0].auditor).get('/v1/audit-events/verify')).body).toMatchObject({
      valid: true,
      count: before[0].count + 1,
    });
  });
});
