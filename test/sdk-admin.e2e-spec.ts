// KeywardAdmin (packages/sdk) against the real admin API: typed calls answer the success body,
// problem answers are one KeywardApiError with status, code, field errors and request id; and the
// SDK's generated types match the committed OpenAPI documents.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { KeywardAdmin, KeywardApiError, type AdminSchema } from '../packages/sdk/src';
import { createTenant, type TestTenant } from './support/builders';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';

describe('SDK: KeywardAdmin', () => {
  let api: RunningHttpApp;
  let tenant: TestTenant;
  let admin: KeywardAdmin;

  beforeAll(async () => {
    api = await startAdminApi();
    tenant = await createTenant(api.url);
    admin = new KeywardAdmin({ baseUrl: api.url, token: tenant.admin });
  });
  afterAll(async () => {
    await api.close();
  });

  it('issues, reads, lists, patches and revokes a key with typed calls', async () => {
    const issued = await admin.POST('/v1/keys', { body: { name: 'sdk key', scopes: ['orders:read'], ownerId: 'c-9' } });
    expect(issued.key).toMatch(/^kw_live_/);
    const read: AdminSchema<'KeyResource'> = await admin.GET('/v1/keys/{keyId}', { params: { path: { keyId: issued.id } } });
    expect(read).toMatchObject({ id: issued.id, name: 'sdk key', ownerId: 'c-9', status: 'active' });
    const page = await admin.GET('/v1/keys', { params: { query: { limit: 100 } } });
    expect(page.data.map((key) => key.id)).toContain(issued.id);
    expect(await admin.PATCH('/v1/keys/{keyId}', { params: { path: { keyId: issued.id } }, body: { name: 'renamed' } })).toMatchObject({
      name: 'renamed',
    });
    expect(await admin.POST('/v1/keys/{keyId}/revoke', { params: { path: { keyId: issued.id } }, body: {} })).toMatchObject({
      status: 'revoked',
    });
  });

  it('raises problem answers as KeywardApiError with status, code, field errors and request id', async () => {
    const invalid = await admin.POST('/v1/keys', { body: { name: '', scopes: ['a b'] } }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(KeywardApiError);
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', requestId: expect.any(String) });
    expect((invalid as KeywardApiError).errors.map((error) => error.field)).toEqual(expect.arrayContaining(['name', 'scopes']));
    const missing = await admin
      .GET('/v1/keys/{keyId}', { params: { path: { keyId: '00000000-0000-4000-8000-000000000000' } } })
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({ name: 'KeywardApiError', status: 404, code: 'NOT_FOUND' });
    const stranger = new KeywardAdmin({ baseUrl: api.url, token: `${tenant.admin.slice(0, -4)}AAAA` });
    const refused = await stranger.GET('/v1/keys').catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(String(refused)).not.toContain(tenant.admin.slice(0, -4));
  });

  it('has types generated from the committed OpenAPI documents (npm run sdk:generate)', () => {
    const script = join(__dirname, '..', 'packages', 'sdk', 'scripts', 'generate-types.mjs');
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
