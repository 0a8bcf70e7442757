import { createTenant } from './support/builders';
import { client } from './support/http-client';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';

describe('admin API smoke', () => {
  let admin: RunningHttpApp;
  beforeAll(async () => {
    admin = await startAdminApi();
  });
  afterAll(() => admin.close());

  it('creates a tenant whose admin lists its credentials', async () => {
    const tenant = await createTenant(admin.url);
    const list = await client(admin.url, tenant.admin).get('/v1/credentials');
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(3);
  });
});
