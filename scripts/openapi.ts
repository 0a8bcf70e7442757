// npm run openapi: writes docs/openapi/admin-api.json and docs/openapi/verify.json, the services'
// OpenAPI documents exactly as they serve them at /openapi.json. The services are started the way
// the tests start them (test/support: a database of its own on DATABASE_URL's server, else on an
// embedded PostgreSQL, and REDIS_URL's Redis, else a local one), on ephemeral ports, and everything
// is stopped and dropped after. test/openapi.e2e-spec.ts fails while the files differ from what the
// code serves. It runs from the TypeScript sources (test/support/ts-register.js), as the test
// harness it uses is not part of the build.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import globalSetup from '../test/support/global-setup';
import globalTeardown from '../test/support/global-teardown';
import { OPENAPI_FILES, openApiFileText, servedOpenApiDocument, type OpenApiService } from '../test/support/openapi-documents';
import { startAdminApi, startVerify, type RunningHttpApp } from '../test/support/running-apps';

const STARTERS: Record<OpenApiService, (options: Parameters<typeof startAdminApi>[0]) => Promise<RunningHttpApp>> = {
  'admin-api': startAdminApi,
  verify: startVerify,
};

/** The services' log lines are not this script's output. */
const quiet = { write: (): void => undefined };

async function main(): Promise<void> {
  await globalSetup();
  try {
    for (const [service, file] of Object.entries(OPENAPI_FILES) as Array<[OpenApiService, string]>) {
      const app = await STARTERS[service]({ logDestination: quiet });
      try {
        writeFileSync(resolve(file), openApiFileText(await servedOpenApiDocument(app.url)));
      } finally {
        await app.close();
      }
      console.log(`wrote ${file}`);
    }
  } finally {
    await globalTeardown();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
