// A real nginx with auth_request in front of a service, running docker/nginx/ as docs/gateways.md
// gives it, against the real verify service (support/nginx.ts). jest.config.js leaves this suite out,
// loudly, on a machine without nginx outside CI; in CI a missing nginx fails it.
import { gatewayScenarios } from './support/gateway-scenarios';
import { createKey } from './support/key-builders';
import { startNginxStack, type NginxStack } from './support/nginx';

describe('nginx in front of a service, with auth_request to /v1/forward-auth', () => {
  let stack: NginxStack;

  beforeAll(async () => {
    stack = await startNginxStack();
  });
  afterAll(async () => {
    // verify is closed by the last test already.
    await stack?.close();
  });

  gatewayScenarios(() => ({ gateway: stack.gateway, adminUrl: stack.admin.url, tenant: stack.tenant }), { scopesOnPath: true });

  it('fails closed while the verify service cannot be reached: 500, and the service behind is not asked', async () => {
    const { admin, tenant, gateway, verify } = stack;
    const key = await createKey(admin.url, tenant.admin, {});
    expect((await gateway.send({ method: 'GET', path: '/x', headers: { 'x-api-key': key.key } })).status).toBe(200);
    await verify.close();
    const answer = await gateway.send({ method: 'GET', path: '/x', headers: { 'x-api-key': key.key } });
    expect({ status: answer.status, reached: answer.upstream !== null }).toEqual({ status: 500, reached: false });
  });
});
