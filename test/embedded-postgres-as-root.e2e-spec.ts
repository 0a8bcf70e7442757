// Issue 14, First run: as root, in a checkout under a private (0700) folder such as /root, the
// embedded PostgreSQL still starts. It runs as the `postgres` system user, which cannot enter that
// folder, so its data goes under the system folder (KEYWARD_SYSTEM_DIR), owned by that user, and is
// found there again on the next start. Where that cannot work, one line says what to do.
// (The binaries' side, node_modules under a private folder, is what CI's clone under a 0700 folder
// runs: scripts/ci/first-run-as-root.sh.) See docs/local-setup.md.
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresError, prepareEmbeddedPostgres, startEmbeddedPostgres } from '../scripts/dev-services/embedded-postgres';
import { freePort } from '../scripts/dev-services/free-port';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const title = 'embedded PostgreSQL started by root from a private folder';

async function query(url: string, text: string): Promise<unknown[]> {
  const connection = new Client({ connectionString: url });
  await connection.connect();
  try {
    return (await connection.query(text)).rows;
  } finally {
    await connection.end();
  }
}

(asRoot ? describe : describe.skip)(asRoot ? title : `${title} (skipped: only a run as root has another user run PostgreSQL)`, () => {
  const folders: string[] = [];
  const systemDirBefore = process.env.KEYWARD_SYSTEM_DIR;
  const folder = (mode: number): string => {
    const made = mkdtempSync(join(tmpdir(), 'keyward-as-root-'));
    chmodSync(made, mode);
    folders.push(made);
    return made;
  };

  beforeEach(() => {
    process.env.KEYWARD_SYSTEM_DIR = folder(0o755);
  });
  afterAll(() => {
    if (systemDirBefore === undefined) delete process.env.KEYWARD_SYSTEM_DIR;
    else process.env.KEYWARD_SYSTEM_DIR = systemDirBefore;
    for (const made of folders) rmSync(made, { recursive: true, force: true });
  });

  it('keeps the cluster under the system folder, owned by the postgres user, and finds it again on the next start', async () => {
    const dataDir = join(folder(0o700), '.data');
    const layout = prepareEmbeddedPostgres(dataDir);
    expect(layout).toMatchObject({ relocated: true, firstStart: true, runAs: { uid: expect.any(Number) } });
    expect(layout.databaseDir.startsWith(`${process.env.KEYWARD_SYSTEM_DIR}/`)).toBe(true);

    const port = await freePort();
    let postgres = await startEmbeddedPostgres(dataDir, { database: 'postgres', port, layout });
    try {
      expect(statSync(layout.databaseDir).uid).toBe(layout.runAs!.uid);
      await query(postgres.url, "CREATE TABLE first_run (note text); INSERT INTO first_run VALUES ('kept')");
      await postgres.stop();

      const again = prepareEmbeddedPostgres(dataDir);
      expect(again).toMatchObject({ databaseDir: layout.databaseDir, relocated: true, firstStart: false });
      postgres = await startEmbeddedPostgres(dataDir, { database: 'postgres', port, layout: again });
      expect(await query(postgres.url, 'SELECT note FROM first_run')).toEqual([{ note: 'kept' }]);
    } finally {
      await postgres.stop();
      postgres.removeFiles();
    }
  }, 60_000);

  it('refuses, in one line that says what to do, a system folder that others can write to', () => {
    const dataDir = join(folder(0o700), '.data');
    chmodSync(process.env.KEYWARD_SYSTEM_DIR!, 0o777);
    let refusal: unknown;
    try {
      prepareEmbeddedPostgres(dataDir);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(EmbeddedPostgresError);
    expect((refusal as Error).message).not.toContain('\n');
    expect((refusal as Error).message).toContain(`chmod 755 ${process.env.KEYWARD_SYSTEM_DIR}`);
  });
});
