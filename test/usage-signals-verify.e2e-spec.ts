// What verify's usage flush writes for the usage signals (docs/api.md, Usage signals): each key's
// most used limit window of the hour, and the networks of its VALID verifications that named an ip
// (a refused one names none); test/usage-signals.e2e-spec.ts covers what the signals job does with them.
import { fixed } from './support/admin-checks';
import { createTenant } from './support/builders';
import { sql } from './support/database';
import { waitFor } from './support/fault-servers';
import { client } from './support/http-client';
import { createKey } from './support/key-builders';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';

describe('verify: the facts of the usage signals', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  beforeAll(async () => {
    admin = await startAdminApi();
    verify = await startVerify();
  });
  afterAll(async () => {
    await verify?.close();
    await admin?.close();
  });

  it("writes a key's most used window and the networks of its VALID verifications with an ip", async () => {
    const tenant = await createTenant(admin.url);
    const key = await createKey(admin.url, tenant.admin, { name: 'watched', rateLimits: [fixed('key', 4, 3600)] });
    const verifier = client(verify.url, tenant.verifier);
    const codes = [];
    for (const ip of ['203.0.113.7', '203.0.113.8', undefined, '2001:db8:abcd:1::1', '198.51.100.1'])
      codes.push((await verifier.post('/v1/verify', { key: key.key, ip })).body.code);
    expect(codes).toEqual(['VALID', 'VALID', 'VALID', 'VALID', 'RATE_LIMITED']);

    const peaks = await waitFor(
      () => sql('owner', 'SELECT scope, limit_name, peak_percent FROM key_limit_peaks WHERE key_id = $1', [key.id]),
      (rows) => rows[0]?.peak_percent === 100,
      5_000,
    );
    expect(peaks).toEqual([{ scope: 'key', limit_name: 'key', peak_percent: 100 }]);
    const networks = await waitFor(
      () => sql('owner', 'SELECT network::text AS network FROM key_networks WHERE key_id = $1 ORDER BY network', [key.id]),
      (rows) => rows.length >= 2,
      5_000,
    );
    expect(networks.map((row) => row.network).sort()).toEqual(['2001:db8:abcd::/48', '203.0.113.0/24']);
  }, 20_000);
});
