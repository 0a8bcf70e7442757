import { AheadOfFramework, createHttpApp, setUpOpenApi } from '@keyward/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { VerifyModule, type VerifyOptions } from './verify.module';
import { createVerifyHandler } from './verify-handler';
import { VERIFY_OPENAPI } from './verify.openapi';

/** The verify service, ready to listen: used by main.ts and by the e2e tests alike. */
export async function createVerifyApp(options: VerifyOptions): Promise<NestFastifyApplication> {
  const ahead = new AheadOfFramework();
  const app = await createHttpApp(VerifyModule.forRoot(options), options.config, { ahead });
  ahead.handler = createVerifyHandler(app);
  setUpOpenApi(app, VERIFY_OPENAPI);
  return app;
}
