// A real nginx with auth_request in front of a service, running docker/nginx/ as docs/gateways.md
// gives it, against the real verify service (support/nginx.ts). jest.config.js leaves this suite out,
// loudly, on a machine without nginx outside CI; in CI a missing nginx fails it.
import { createTenant, type TestTenant } from './support/builders';
import { gatewayScenarios } from './support/gateway-scenarios';
import { nginxGateway, startRecordingService, type Gateway } from './support/gateways';
import { createKey } from './support/key-builders';
import { startNginx, type RunningNginx } from './support/nginx';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';

describe('nginx in front of a service, with auth_request to /v1/forward-auth', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let service: Awaited<ReturnType<typeof startRecordingService>>;
  let nginx: RunningNginx;
  let tenant: TestTenant;
  let gateway: Gateway;

  beforeAll(async () => {
    [admin, verify, service] = await Promise.all([startAdminApi(), startVerify(), startRecordingService()]);
    tenant = await createTenant(admin.url);
    nginx = await startNginx({
      verifyPort: Number(new URL(verify.url).port),
      servicePort: service.port,
      verifierCredential: tenant.verifier,
    });
    gateway = nginxGateway(nginx.url, service);
  });
  afterAll(async () => {
    await nginx?.stop();
    // verify is closed by the last test already.
    await Promise.all([admin?.close(), verify?.close().catch(() => undefined), service?.close()]);
  });

  gatewayScenarios(() => ({ gateway, adminUrl: admin.url, tenant }), { scopesOnPath: true });

  it('fails closed while the verify service cannot be reached: 500, and the service behind is not asked', async () => {
    const key = await createKey(admin.url, tenant.admin, {});
    expect((await gateway.send({ method: 'GET', path: '/x', headers: { 'x-api-key': key.key } })).status).toBe(200);
    await verify.close();
    const answer = await gateway.send({ method: 'GET', path: '/x', headers: { 'x-api-key': key.key } });
    expect({ status: answer.status, reached: answer.upstream !== null }).toEqual({ status: 500, reached: false });
  });
});
