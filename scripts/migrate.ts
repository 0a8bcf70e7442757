// `npm run migrate`: applies the migrations to DATABASE_URL (the owner's connection), or to the
// embedded database when it is unset, and makes sure the apps' login role exists.
import { provisionDatabase } from '../libs/platform/src/database/provision';
import { startEmbeddedPostgres } from './dev-services/embedded-postgres';
import { resolve } from 'node:path';

async function main(): Promise<void> {
  const dataDir = resolve(process.env.KEYWARD_DATA_DIR || '.data');
  const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres(dataDir);
  try {
    const ownerUrl = process.env.DATABASE_URL || embedded!.url;
    const { applied } = await provisionDatabase(ownerUrl);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`migrate failed: ${error.message}\n`);
  process.exit(1);
});
