// examples/nginx as its README sets it up: a real nginx running service.conf with docker/nginx's two
// includes, in front of a service, against a verify service that signs principals. The service gets
// a Keyward-Principal it can check offline with the SDK, never the client's own, and never the key.
// jest.config.js leaves this suite out, loudly, on a machine without nginx outside CI.
import { join } from 'node:path';
import { KeywardPrincipalVerifier } from '../packages/sdk/src';
import { createKey, KEY_SHAPE_ANYWHERE } from './support/key-builders';
import { startNginxStack, type NginxStack } from './support/nginx';

const SITE = join(__dirname, '..', 'examples', 'nginx', 'service.conf');

describe('examples/nginx: nginx in front of any service, with signed principals', () => {
  let stack: NginxStack;

  beforeAll(async () => {
    stack = await startNginxStack({ verifyEnv: { KEYWARD_PRINCIPAL_SIGNING: '1' }, site: SITE });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('passes a valid key’s request on with a Keyward-Principal the service checks offline, replacing the client’s', async () => {
    const { admin, tenant, gateway, verify } = stack;
    const { id, key } = await createKey(admin.url, tenant.admin, { ownerId: 'shop-3', scopes: ['orders:read'] });
    const answer = await gateway.send({
      method: 'GET',
      path: '/orders/1',
      headers: { authorization: `Bearer ${key}`, 'keyward-principal': 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJtZSJ9.' },
    });
    expect({ status: answer.status, reached: answer.upstream !== null }).toEqual({ status: 200, reached: true });
    const upstream = answer.upstream!;
    expect(upstream['keyward-key-id']).toBe(id);
    const principals = new KeywardPrincipalVerifier({ baseUrl: verify.url, issuer: 'keyward' });
    expect(await principals.verifyPrincipal(upstream['keyward-principal'])).toMatchObject({
      iss: 'keyward',
      sub: id,
      tid: tenant.id,
      own: 'shop-3',
      scp: ['orders:read'],
    });
    for (const value of Object.values(upstream)) expect(KEY_SHAPE_ANYWHERE.test(value)).toBe(false);
  });

  it('refuses a request without a key before the service, and serves /health without one', async () => {
    const { gateway } = stack;
    const refused = await gateway.send({ method: 'GET', path: '/orders/1', headers: {} });
    expect({ status: refused.status, reached: refused.upstream !== null }).toEqual({ status: 401, reached: false });
    const health = await gateway.send({ method: 'GET', path: '/health', headers: {} });
    expect({ status: health.status, reached: health.upstream !== null }).toEqual({ status: 200, reached: true });
  });
});
