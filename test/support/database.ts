import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import { provisionDatabase } from '../../libs/platform/src/database/provision';

/** Runs SQL on the run's database as the owner (a superuser in tests), or as the app role. */
export async function sql<T = any>(as: 'owner' | 'app', text: string, params: unknown[] = []): Promise<T[]> {
  const connectionString = as === 'owner' ? process.env.KEYWARD_TEST_OWNER_URL : process.env.KEYWARD_TEST_APP_URL;
  const connection = new Client({ connectionString });
  await connection.connect();
  try {
    return (await connection.query(text, params)).rows as T[];
  } finally {
    await connection.end();
  }
}

/**
 * Gives the calling suite a database of its own (same server, same migrations) for as long as it
 * runs: for suites that count every row, since the run's database is shared with the suites that
 * jest runs in parallel. The starters and sql() follow it. Call the returned function in afterAll,
 * after closing the apps, to drop it and return to the run's database.
 */
export async function useOwnDatabase(): Promise<() => Promise<void>> {
  const shared = { owner: process.env.KEYWARD_TEST_OWNER_URL!, app: process.env.KEYWARD_TEST_APP_URL! };
  const own = new URL(shared.owner);
  const name = `${own.pathname.slice(1)}_own_${randomBytes(3).toString('hex')}`;
  own.pathname = `/${name}`;
  const { appUrl } = await provisionDatabase(own.toString());
  process.env.KEYWARD_TEST_OWNER_URL = own.toString();
  process.env.KEYWARD_TEST_APP_URL = appUrl;
  return async () => {
    process.env.KEYWARD_TEST_OWNER_URL = shared.owner;
    process.env.KEYWARD_TEST_APP_URL = shared.app;
    const server = new URL(shared.owner);
    server.pathname = '/postgres';
    const connection = new Client({ connectionString: server.toString() });
    await connection.connect();
    try {
      await connection.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
      await connection.query(`DROP ROLE IF EXISTS ${escapeIdentifier(`${name}_service`)}`);
    } finally {
      await connection.end();
    }
  };
}
