// docs/api.md, Roles and Scope queries: the roles API (CRUD, isolation, ROLE_IN_USE, bad input, audit),
// roles on keys (create, PATCH, rotation), effective scopes on verify, a role change in force on every
// verify process within a second for 1,000 keys that have it, and scopeQuery on the verify service.
import { generateApiKey, keyStart, KeysRepository } from '@keyward/keys';
import { KEYWARD_CONFIG, KeyedHasher, TenantTransactions, type KeywardConfig } from '@keyward/platform';
import { createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client } from './support/http-client';
import { createKey, inBatches } from './support/key-builders';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';

describe('roles', () => {
  let admin: RunningHttpApp;
  let verifyA: RunningHttpApp;
  let verifyB: RunningHttpApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = await startAdminApi();
    // Two verify services with their own caches and subscriptions, as two processes would be.
    [verifyA, verifyB] = await Promise.all([startVerify(), startVerify()]);
    tenant = await createTenant(admin.url);
  });
  afterAll(async () => {
    await Promise.all([admin.close(), verifyA.close(), verifyB.close()]);
  });

  const api = (owner: TestTenant = tenant) => client(admin.url, owner.admin);
  const verify = (service: RunningHttpApp, body: Record<string, unknown>, token = tenant.verifier) =>
    client(service.url, token).post('/v1/verify', body);
  const putRole = async (name: string, body: Record<string, unknown>, owner: TestTenant = tenant) => {
    const put = await api(owner).put(`/v1/roles/${name}`, body);
    expect(put.status).toBe(200);
    return put.body;
  };
  const countsOf = async (tenantId: string) =>
    (
      await sql(
        'owner',
        `SELECT (SELECT count(*) FROM roles WHERE tenant_id = $1)::int AS roles,
                (SELECT count(*) FROM api_keys WHERE tenant_id = $1)::int AS keys,
                (SELECT count(*) FROM audit_events WHERE tenant_id = $1)::int AS events`,
        [tenantId],
      )
    )[0];

  describe('the roles API', () => {
    it('creates, replaces, reads, lists and deletes a role, each change audited', async () => {
      const created = await putRole('support', { scopes: ['billing:read', 'orders:*'], description: 'Support staff' });
      expect(created).toEqual({
        name: 'support',
        scopes: ['billing:read', 'orders:*'],
        description: 'Support staff',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const replaced = await putRole('support', { scopes: ['billing:*'] });
      expect(replaced).toMatchObject({ name: 'support', scopes: ['billing:*'], description: null, createdAt: created.createdAt });
      expect((await api().get('/v1/roles/support')).body).toEqual(replaced);
      expect((await client(admin.url, tenant.auditor).get('/v1/roles/support')).status).toBe(200);
      expect((await client(admin.url, tenant.auditor).put('/v1/roles/support', { scopes: [] })).status).toBe(403);

      expect((await api().delete('/v1/roles/support')).status).toBe(204);
      expect((await api().get('/v1/roles/support')).status).toBe(404);
      expect((await api().delete('/v1/roles/support')).status).toBe(404);

      const events = (await client(admin.url, tenant.auditor).get('/v1/audit-events?limit=100')).body.data.filter(
        (event: { target: { type: string } }) => event.target.type === 'role',
      );
      expect(events.map((event: { action: string; details: unknown }) => [event.action, event.details])).toEqual([
        ['role.updated', { created: true, scopes: ['billing:read', 'orders:*'], description: 'Support staff' }],
        ['role.updated', { created: false, scopes: ['billing:*'], description: null }],
        ['role.deleted', { scopes: ['billing:*'], description: null }],
      ]);
      expect(events.every((event: { target: { id: string } }) => event.target.id === 'support')).toBe(true);
    });

    it('lists a page at a time, oldest first', async () => {
      const own = await createTenant(admin.url);
      for (const name of ['r1', 'r2', 'r3']) await putRole(name, { scopes: [`${name}:read`] }, own);
      const first = await api(own).get('/v1/roles?limit=2');
      expect(first.body.data.map((role: { name: string }) => role.name)).toEqual(['r1', 'r2']);
      const second = await api(own).get(`/v1/roles?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body).toEqual({ data: [expect.objectContaining({ name: 'r3' })], nextCursor: null });
    });

    it("keeps tenants apart: another tenant's role is not found, and its name is free", async () => {
      const other = await createTenant(admin.url);
      await putRole('isolated', { scopes: ['a'] }, other);
      expect((await api().get('/v1/roles/isolated')).status).toBe(404);
      expect((await api().delete('/v1/roles/isolated')).status).toBe(404);
      expect((await api().get('/v1/roles')).body.data.map((role: { name: string }) => role.name)).not.toContain('isolated');
      const bad = await api().post('/v1/keys', { name: 'k', roles: ['isolated'] });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'roles[0]', message: 'is not a role of this tenant' }]);
      await putRole('isolated', { scopes: ['b'] });
      expect((await api(other).get('/v1/roles/isolated')).body.scopes).toEqual(['a']);
    });

    it('refuses bad input with a 400 naming the field, writing nothing', async () => {
      const own = await createTenant(admin.url);
      await putRole('kept', { scopes: ['a'] }, own);
      const before = await countsOf(own.id);
      const cases: Array<[string, unknown, string]> = [
        ['/v1/roles/ok', { scopes: ['Bad'] }, 'scopes'],
        ['/v1/roles/ok', { scopes: ['a*b'] }, 'scopes'],
        ['/v1/roles/ok', {}, 'scopes'],
        ['/v1/roles/ok', { scopes: 'a' }, 'scopes'],
        ['/v1/roles/ok', { scopes: Array.from({ length: 101 }, (_, i) => `s${i}`) }, 'scopes'],
        ['/v1/roles/ok', { scopes: ['a'], description: 'x'.repeat(501) }, 'description'],
        ['/v1/roles/ok', { scopes: ['a'], extra: true }, 'extra'],
        ['/v1/roles/Upper', { scopes: ['a'] }, 'name'],
        ['/v1/roles/a*b', { scopes: ['a'] }, 'name'],
        [`/v1/roles/${'n'.repeat(65)}`, { scopes: ['a'] }, 'name'],
      ];
      for (const [path, body, field] of cases) {
        const answer = await api(own).put(path, body);
        expect({ path, body, status: answer.status, code: answer.body.code }).toEqual({
          path,
          body,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
        expect(answer.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      // A name no role can have is simply not found.
      expect((await api(own).get('/v1/roles/Upper')).status).toBe(404);
      expect((await api(own).delete('/v1/roles/a%00b')).status).toBe(404);
      expect(await countsOf(own.id)).toEqual(before);
    });
  });

  describe('roles on keys', () => {
    it('gives a key roles on create and PATCH (each must exist), shows them, copies them on rotation, and refuses to delete a role in use', async () => {
      const own = await createTenant(admin.url);
      await putRole('reader', { scopes: ['reports:read'] }, own);
      await putRole('writer', { scopes: ['reports:write'] }, own);
      const before = await countsOf(own.id);
      const missing = await api(own).post('/v1/keys', { name: 'k', roles: ['reader', 'nope', 'writer', 'gone'] });
      expect(missing.status).toBe(400);
      expect(missing.body.errors).toEqual([
        { field: 'roles[1]', message: 'is not a role of this tenant' },
        { field: 'roles[3]', message: 'is not a role of this tenant' },
      ]);
      for (const roles of [['Bad'], 'reader', ['reader', 'reader'], Array.from({ length: 21 }, (_, i) => `r${i}`)]) {
        const bad = await api(own).post('/v1/keys', { name: 'k', roles });
        expect({ roles, status: bad.status, fields: bad.body.errors?.map((error: { field: string }) => error.field) }).toEqual({
          roles,
          status: 400,
          fields: ['roles'],
        });
      }
      expect(await countsOf(own.id)).toEqual(before);

      const key = await createKey(admin.url, own.admin, { roles: ['reader'] });
      expect(key.roles).toEqual(['reader']);
      const patchedBad = await api(own).patch(`/v1/keys/${key.id}`, { roles: ['reader', 'nope'] });
      expect(patchedBad.status).toBe(400);
      expect(patchedBad.body.errors).toEqual([{ field: 'roles[1]', message: 'is not a role of this tenant' }]);
      expect((await api(own).get(`/v1/keys/${key.id}`)).body.roles).toEqual(['reader']);
      const patched = await api(own).patch(`/v1/keys/${key.id}`, { roles: ['reader', 'writer'] });
      expect(patched.body.roles).toEqual(['reader', 'writer']);

      const refused = await api(own).delete('/v1/roles/writer');
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('ROLE_IN_USE');
      expect((await api(own).get('/v1/roles/writer')).status).toBe(200);

      const rotated = await api(own).post(`/v1/keys/${key.id}/rotate`, {});
      expect(rotated.status).toBe(201);
      expect(rotated.body.roles).toEqual(['reader', 'writer']);
      // The successor has it too: still in use once the first key is gone.
      await api(own).post(`/v1/keys/${key.id}/revoke`, {});
      expect((await api(own).delete('/v1/roles/writer')).body.code).toBe('ROLE_IN_USE');
      await api(own).patch(`/v1/keys/${rotated.body.id}`, { roles: ['reader'] });
      // Revoked keys never verify again: they do not keep a role in use.
      expect((await api(own).delete('/v1/roles/writer')).status).toBe(204);
    });
  });

  it('never leaves a key with a role that is gone, however a deletion and keys given the role interleave', async () => {
    const own = await createTenant(admin.url);
    for (let round = 0; round < 5; round++) {
      const name = `contested-${round}`;
      await putRole(name, { scopes: ['c'] }, own);
      const [deleted, ...created] = await Promise.all([
        api(own).delete(`/v1/roles/${name}`),
        ...Array.from({ length: 4 }, () => api(own).post('/v1/keys', { name: 'k', roles: [name] })),
      ]);
      const keysWithRole = created.filter((answer) => answer.status === 201).length;
      const roleExists = (await api(own).get(`/v1/roles/${name}`)).status === 200;
      // Either the deletion went first (every key refused, naming the role) or a key did (ROLE_IN_USE).
      expect({ deleted: deleted.status, code: deleted.body?.code, keysWithRole, roleExists }).toEqual(
        deleted.status === 204
          ? { deleted: 204, code: undefined, keysWithRole: 0, roleExists: false }
          : { deleted: 409, code: 'ROLE_IN_USE', keysWithRole: expect.any(Number), roleExists: true },
      );
      for (const answer of created)
        if (answer.status !== 201) expect(answer.body.errors).toEqual([{ field: 'roles[0]', message: 'is not a role of this tenant' }]);
      const [{ count }] = await sql('owner', `SELECT count(*)::int AS count FROM api_keys WHERE tenant_id = $1 AND $2 = ANY(roles)`, [
        own.id,
        name,
      ]);
      expect(count).toBe(keysWithRole);
    }
  });

  describe('verify', () => {
    it('decides on the effective scopes and answers the name, the roles and the effective scopes', async () => {
      await putRole('billing-reader', { scopes: ['billing:read', 'reports:*'] });
      const { id, key } = await createKey(admin.url, tenant.admin, {
        name: 'Checkout',
        scopes: ['orders:write'],
        roles: ['billing-reader'],
      });
      const answer = await verify(verifyA, { key, scopes: ['billing:read', 'orders:write'] });
      expect(answer.body).toMatchObject({
        valid: true,
        code: 'VALID',
        keyId: id,
        name: 'Checkout',
        roles: ['billing-reader'],
        scopes: ['orders:write', 'billing:read', 'reports:*'],
      });
      expect((await verify(verifyA, { key, scopes: ['reports:monthly'] })).body.code).toBe('VALID');
      expect((await verify(verifyA, { key, scopes: ['billing:write'] })).body.code).toBe('INSUFFICIENT_SCOPE');
      const plain = await createKey(admin.url, tenant.admin, { name: 'Plain', scopes: ['a'] });
      expect((await verify(verifyA, { key: plain.key })).body).toMatchObject({ name: 'Plain', roles: [], scopes: ['a'] });
    });

    it('takes scopeQuery: VALID when the effective scopes satisfy it, else INSUFFICIENT_SCOPE; 400 naming scopeQuery when it does not parse', async () => {
      await putRole('orders-admin', { scopes: ['orders:admin'] });
      const { key } = await createKey(admin.url, tenant.admin, { scopes: ['billing:*'], roles: ['orders-admin'] });
      const query = 'billing:read AND (orders:write OR orders:admin)';
      expect((await verify(verifyA, { key, scopeQuery: query })).body.code).toBe('VALID');
      expect((await verify(verifyA, { key, scopeQuery: 'billing:read AND orders:write' })).body.code).toBe('INSUFFICIENT_SCOPE');
      expect((await verify(verifyA, { key, scopeQuery: 'orders:write OR billing:x AND orders:admin' })).body.code).toBe('VALID');
      // Both given: both must hold.
      expect((await verify(verifyA, { key, scopes: ['orders:write'], scopeQuery: query })).body.code).toBe('INSUFFICIENT_SCOPE');
      // Same precedence as scopes: after the key's state.
      const disabled = await createKey(admin.url, tenant.admin, { scopes: ['a'] });
      await api().patch(`/v1/keys/${disabled.id}`, { enabled: false });
      expect((await verify(verifyA, { key: disabled.key, scopeQuery: 'b' })).body.code).toBe('DISABLED');

      const tooManyScopes = Array.from({ length: 101 }, (_, i) => `s${i}`).join(' OR ');
      for (const [scopeQuery, message] of [
        ['billing:read AND', 'expected a scope or `(`, found the end of the query at character 17'],
        ['(a OR b', 'expected `)`, `AND` or `OR`, found the end of the query at character 8'],
        ['a; DROP', 'unexpected character ";" at character 2'],
        [tooManyScopes, `more than 100 scopes at character ${tooManyScopes.indexOf('s100') + 1}`],
      ] as const) {
        const refused = await verify(verifyA, { key, scopeQuery });
        expect({ scopeQuery, status: refused.status, body: refused.body }).toMatchObject({
          scopeQuery,
          status: 400,
          body: { code: 'VALIDATION_FAILED', errors: [{ field: 'scopeQuery', message }] },
        });
      }
      // Refused for the query whatever the key (and before any store is asked).
      expect((await verify(verifyA, { key: 'not-a-key', scopeQuery: 'a AND' })).status).toBe(400);
      for (const scopeQuery of ['a'.repeat(1_001), 42, null, ['a']]) {
        const refused = await verify(verifyA, { key, scopeQuery });
        expect(refused.status).toBe(400);
        expect(refused.body.errors.map((error: { field: string }) => error.field)).toEqual(['scopeQuery']);
      }
    });

    it('puts a role change in force within 1 s on every verify process, for 1,000 keys that have the role', async () => {
      const own = await createTenant(admin.url);
      await putRole('fleet', { scopes: ['fleet:read'] }, own);

      // 1,000 keys with the role, made in one transaction through the repository (the API would take minutes).
      const config = admin.app.get<KeywardConfig>(KEYWARD_CONFIG);
      const hasher = admin.app.get(KeyedHasher);
      const keysRepository = admin.app.get(KeysRepository);
      const plaintexts = Array.from({ length: 1_000 }, () => generateApiKey(config.keyPrefix, 'live'));
      await admin.app.get(TenantTransactions).run(own.id, async (tx) => {
        for (const plaintext of plaintexts) {
          await keysRepository.insert(tx, {
            name: 'fleet key',
            ownerId: null,
            keyHash: hasher.hash(plaintext),
            start: keyStart(plaintext, config.keyPrefix, 'live'),
            environment: 'live',
            scopes: [],
            roles: ['fleet'],
            meta: {},
            expiresAt: null,
            rateLimits: [],
            credits: { remaining: null, refill: null, period: null },
            ipAllowlist: null,
            rotation: null,
            previousKeyId: null,
          });
        }
      });

      const codesFor = (service: RunningHttpApp, keys: string[], scopes: string[]) =>
        inBatches(keys.length, 50, async (i) => (await verify(service, { key: keys[i], scopes }, own.verifier)).body.code as string);
      const tally = (codes: string[]) =>
        codes.reduce<Record<string, number>>((counts, code) => ({ ...counts, [code]: (counts[code] ?? 0) + 1 }), {});

      // Every key cached on both processes, with the role as it was.
      for (const service of [verifyA, verifyB]) {
        expect(tally(await codesFor(service, plaintexts, ['fleet:read']))).toEqual({ VALID: 1_000 });
        expect(tally(await codesFor(service, plaintexts.slice(0, 50), ['fleet:write']))).toEqual({ INSUFFICIENT_SCOPE: 50 });
      }

      const changeAndMeasure = async (scopes: string[], probe: string[], expected: string) => {
        const changed = Date.now();
        await putRole('fleet', { scopes }, own);
        const sample = [plaintexts[0], plaintexts[499], plaintexts[999]];
        const elapsed: number[] = [];
        for (const service of [verifyA, verifyB]) {
          for (;;) {
            const codes = await codesFor(service, sample, probe);
            if (codes.every((code) => code === expected)) break;
            if (Date.now() - changed > 5_000) throw new Error(`the role change did not reach ${service.url} in 5 s: ${codes.join(', ')}`);
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          elapsed.push(Date.now() - changed);
        }
        // Every one of the 1,000 keys on both processes has the new scopes.
        for (const service of [verifyA, verifyB]) expect(tally(await codesFor(service, plaintexts, probe))).toEqual({ [expected]: 1_000 });
        return elapsed;
      };

      const granted = await changeAndMeasure(['fleet:read', 'fleet:write'], ['fleet:write'], 'VALID');
      expect(Math.max(...granted)).toBeLessThan(1_000);
      const withdrawn = await changeAndMeasure(['fleet:read'], ['fleet:write'], 'INSUFFICIENT_SCOPE');
      expect(Math.max(...withdrawn)).toBeLessThan(1_000);
    }, 120_000);
  });
});
