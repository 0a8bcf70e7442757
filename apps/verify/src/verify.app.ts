import { AheadOfFramework, ApiProblemsDocument, createHttpApp, setUpOpenApi } from '@keyward/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { VerifyModule, type VerifyOptions } from './verify.module';
import { createVerifyHandler } from './verify-handler';
import { VERIFY_REQUEST_SCHEMA, VERIFY_RESPONSE_SCHEMA } from './verify.schema';

/** The verify service, ready to listen: used by main.ts and by the e2e tests alike. */
export async function createVerifyApp(options: VerifyOptions): Promise<NestFastifyApplication> {
  const ahead = new AheadOfFramework();
  const app = await createHttpApp(VerifyModule.forRoot(options), options.config, { ahead });
  ahead.handler = createVerifyHandler(app);
  setUpOpenApi(app, 'Keyward verify service', 'POST /v1/verify for tenant verifier credentials.', (document) => {
    document.paths['/v1/verify'] = {
      post: {
        operationId: 'verify',
        summary: 'Verify an API key',
        security: [{ bearer: [] }],
        requestBody: { required: true, content: { 'application/json': { schema: VERIFY_REQUEST_SCHEMA as never } } },
        responses: {
          '200': {
            description: 'The verdict; `valid` is true only with code VALID',
            content: { 'application/json': { schema: VERIFY_RESPONSE_SCHEMA as never } },
          },
          ...ApiProblemsDocument(400, 401, 403, 413, 415, 503),
        },
      },
    };
  });
  return app;
}
