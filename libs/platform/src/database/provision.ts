// Brings a database to the state the apps need: it exists, its migrations are applied, and a login
// role for the apps exists that is a member of keyward_app and can bypass nothing. Used by
// `npm start`, `npm run migrate` and the test setup, always with the owner's connection.
import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier, escapeLiteral, type PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../../migrations';

/** Serialises concurrent migrators of one database (several `npm start`s, parallel CI jobs). */
const MIGRATION_LOCK_ID = 7_348_221_901;

/**
 * The apps' time limits, kept as settings of their login role in the database rather than sent by
 * the apps when they connect: PgBouncer refuses a connection that carries them as startup parameters
 * (and would otherwise drop them), while a role's settings apply to every server session, direct or
 * pooled. The owner gets none: migrations may take longer.
 */
const APP_ROLE_SETTINGS = { statement_timeout: '5s', idle_in_transaction_session_timeout: '10s' };

export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export async function createDatabaseIfMissing(ownerUrl: string): Promise<void> {
  const database = databaseNameOf(ownerUrl);
  const client = new Client({ connectionString: withDatabase(ownerUrl, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${escapeIdentifier(database)}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Refuses a connection that a pooler (PgBouncer...) stands in front of. The migration lock is a
 * session advisory lock: behind a pooler in transaction mode it is taken and released on whichever
 * server connections those statements land on, and one left held blocks every later migrator. A
 * pooler answers a client with cancel keys of its own, so the process id the connection was given
 * is not the server process that runs its statements; a plain TCP proxy passes the real one on.
 */
async function assertDirectConnection(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    // node-postgres keeps the BackendKeyData's process id on the client; @types/pg does not declare it.
    const connection = (await runner.connect()) as PoolClient & { processID: number | null };
    const [{ pid }] = await runner.query('SELECT pg_backend_pid() AS pid');
    if (connection.processID !== pid) {
      throw new Error(
        'The owner connection (DATABASE_URL) reaches PostgreSQL through a connection pooler such as PgBouncer. ' +
          'Migrations hold a session lock and must connect to PostgreSQL directly: point DATABASE_URL at the server ' +
          'itself and only DATABASE_APP_URL at the pooler.',
      );
    }
  } finally {
    await runner.release();
  }
}

export async function runMigrations(ownerUrl: string): Promise<string[]> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: ownerUrl,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    logging: false,
    // One connection: the advisory lock below, the migrations and the unlock share one session.
    extra: { max: 1 },
  });
  await dataSource.initialize();
  try {
    await assertDirectConnection(dataSource);
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await dataSource.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await dataSource.destroy();
  }
}

/** Gives the apps' login role its time limits in the database (see APP_ROLE_SETTINGS). */
async function applyAppRoleSettings(client: Client, role: string, database: string): Promise<void> {
  for (const [name, value] of Object.entries(APP_ROLE_SETTINGS)) {
    await client.query(
      `ALTER ROLE ${escapeIdentifier(role)} IN DATABASE ${escapeIdentifier(database)} SET ${name} = ${escapeLiteral(value)}`,
    );
  }
}

/**
 * Ensures a login role for the apps with a new password, and returns the URL the apps connect with.
 * Each call sets a fresh password; connections already open keep working.
 */
export async function provisionAppRole(ownerUrl: string, roleName = `${databaseNameOf(ownerUrl)}_service`): Promise<string> {
  const role = roleName
    .replace(/[^a-z0-9_]/gi, '_')
    .slice(0, 63)
    .toLowerCase();
  const password = randomBytes(24).toString('base64url');
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE ROLE ${escapeIdentifier(role)} LOGIN`).catch((error: { code?: string }) => {
        if (error.code !== '42710' && error.code !== '23505') throw error;
      });
    }
    await client.query(
      `ALTER ROLE ${escapeIdentifier(role)} WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD ${escapeLiteral(password)}`,
    );
    await client.query(`GRANT keyward_app TO ${escapeIdentifier(role)}`);
    await client.query(`GRANT CONNECT ON DATABASE ${escapeIdentifier(databaseNameOf(ownerUrl))} TO ${escapeIdentifier(role)}`);
    await applyAppRoleSettings(client, role, databaseNameOf(ownerUrl));
  } finally {
    await client.end();
  }
  const appUrl = new URL(ownerUrl);
  appUrl.username = role;
  appUrl.password = password;
  return appUrl.toString();
}

/**
 * Makes the login role of an operator-given DATABASE_APP_URL a member of keyward_app and gives it
 * the apps' time limits in this database, without touching its password; returns the role's name.
 */
export async function grantAppRole(ownerUrl: string, appUrl: string): Promise<string> {
  const role = decodeURIComponent(new URL(appUrl).username);
  if (!role) throw new Error('DATABASE_APP_URL names no user');
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`GRANT keyward_app TO ${escapeIdentifier(role)}`);
    await client.query(`GRANT CONNECT ON DATABASE ${escapeIdentifier(databaseNameOf(ownerUrl))} TO ${escapeIdentifier(role)}`);
    await applyAppRoleSettings(client, role, databaseNameOf(ownerUrl));
  } finally {
    await client.end();
  }
  return role;
}

export async function provisionDatabase(
  ownerUrl: string,
  options: { appRole?: string } = {},
): Promise<{ appUrl: string; applied: string[] }> {
  await createDatabaseIfMissing(ownerUrl);
  const applied = await runMigrations(ownerUrl);
  const appUrl = await provisionAppRole(ownerUrl, options.appRole);
  return { appUrl, applied };
}
