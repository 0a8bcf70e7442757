import { Client } from 'pg';

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
