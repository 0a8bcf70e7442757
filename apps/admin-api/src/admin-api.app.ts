import { createHttpApp, setUpOpenApi } from '@keyward/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AdminApiModule, type AdminApiOptions } from './admin-api.module';
import { ADMIN_API_OPENAPI } from './admin-api.openapi';

/** The admin API, ready to listen: used by main.ts and by the e2e tests alike. */
export async function createAdminApiApp(options: AdminApiOptions): Promise<NestFastifyApplication> {
  const app = await createHttpApp(AdminApiModule.forRoot(options), options.config);
  setUpOpenApi(app, ADMIN_API_OPENAPI);
  return app;
}
