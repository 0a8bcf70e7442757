// `npm run migrate`: applies the migrations to DATABASE_URL (the owner's connection), or to the
// embedded database when it is unset, and makes sure the apps' login role exists.
//
// With DATABASE_APP_URL set, the apps' login role is the operator's (made beforehand, its password
// managed outside Keyward): it is only granted membership of keyward_app and CONNECT and given the
// apps' time limits in the database, never a new password. Without it, a role `<database>_service` is provisioned with a fresh password.
import { createDatabaseIfMissing, grantAppRole, provisionDatabase, runMigrations } from '../libs/platform/src/database/provision';
import { startEmbeddedPostgres } from './dev-services/embedded-postgres';
import { resolve } from 'node:path';

async function main(): Promise<void> {
  const dataDir = resolve(process.env.KEYWARD_DATA_DIR || '.data');
  const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres(dataDir);
  try {
    const ownerUrl = process.env.DATABASE_URL || embedded!.url;
    const appUrl = process.env.DATABASE_APP_URL;
    let applied: string[];
    if (appUrl) {
      await createDatabaseIfMissing(ownerUrl);
      applied = await runMigrations(ownerUrl);
      process.stdout.write(`Granted keyward_app to ${await grantAppRole(ownerUrl, appUrl)}.\n`);
    } else {
      applied = (await provisionDatabase(ownerUrl)).applied;
    }
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`migrate failed: ${error.message}\n`);
  process.exit(1);
});
