// The hot route, registered on Fastify directly: its JSON schema checks the body, and no guard,
// pipe or interceptor runs per request.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { VerifierAuthenticator } from './verifier-authenticator';
import { VerifyMetrics } from './verify-metrics';
import { VERIFY_REQUEST_SCHEMA, VERIFY_RESPONSE_SCHEMA, type VerifyRequest } from './verify.schema';
import { VerifyService } from './verify.service';

export function registerVerifyRoute(app: NestFastifyApplication): void {
  const authenticator = app.get(VerifierAuthenticator);
  const verifyService = app.get(VerifyService);
  const metrics = app.get(VerifyMetrics);
  app
    .getHttpAdapter()
    .getInstance()
    .post<{ Body: VerifyRequest }>(
      '/v1/verify',
      { schema: { body: VERIFY_REQUEST_SCHEMA, response: { 200: VERIFY_RESPONSE_SCHEMA } } },
      async (request, reply) => {
        const started = process.hrtime.bigint();
        const authenticated = authenticator.authenticate(request.headers.authorization);
        const verifier = authenticated instanceof Promise ? await authenticated : authenticated;
        const outcome = await verifyService.verify(verifier, request.body);
        reply.headers(outcome.headers);
        metrics.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
        return outcome.body;
      },
    );
}
