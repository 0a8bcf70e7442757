// First of all: tracing hooks node:http, pg and ioredis as the imports below load them; with no
// OTLP endpoint set it loads nothing (docs/operations.md, Tracing).
import { startTracing } from '@keyward/platform/tracing/tracing';
startTracing('keyward-admin-api');

import { enforceShutdownDeadline, loadKeywardConfig } from '@keyward/platform';
import { createAdminApiApp } from './admin-api.app';

async function main(): Promise<void> {
  const config = loadKeywardConfig(process.env);
  enforceShutdownDeadline(config.shutdownGraceMs, 'admin-api');
  const app = await createAdminApiApp({ config });
  await app.listen({ port: config.adminPort, host: config.host });
  if (config.platformAdminTokenGenerated) {
    // Development only (production refuses to start without PLATFORM_ADMIN_TOKEN).
    process.stdout.write(`Platform operator token (generated for this run): ${config.platformAdminToken}\n`);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`admin-api failed to start: ${error.message}\n`);
  process.exit(1);
});
