import { AheadOfFramework, createHttpApp, setUpOpenApi } from '@keyward/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { VerifyModule, type VerifyOptions } from './verify.module';
import { createForwardAuthHandler } from './forward-auth-handler';
import { createVerifyHandler } from './verify-handler';
import { VERIFY_OPENAPI } from './verify.openapi';

/** The verify service, ready to listen: used by main.ts and by the e2e tests alike. */
export async function createVerifyApp(options: VerifyOptions): Promise<NestFastifyApplication> {
  const ahead = new AheadOfFramework();
  const app = await createHttpApp(VerifyModule.forRoot(options), options.config, { ahead });
  const verify = createVerifyHandler(app);
  const forwardAuth = createForwardAuthHandler(app);
  // POST /v1/verify is asked first: the hot route pays for no other check.
  ahead.handler = (request, response) => verify(request, response) || forwardAuth(request, response);
  setUpOpenApi(app, VERIFY_OPENAPI);
  return app;
}
