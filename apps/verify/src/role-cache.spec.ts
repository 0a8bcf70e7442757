import type { LookUpRoleUseCase } from '@keyward/keys';
import { InvalidationSubscriber, Metrics } from '@keyward/platform';
import { verifiableKey } from '../../../test/support/verifiable-key';
import { testConfig } from '../../../test/support/test-config';
import { KeyStoreFailures } from './key-cache';
import { RoleCache } from './role-cache';
import { VerifyMetrics } from './verify-metrics';

// The role cache below verify, with the store's answers given by a map: what each call costs, and
// which invalidation drops what (the e2e suite test/roles.e2e-spec.ts runs it on PostgreSQL and Redis).
describe('RoleCache', () => {
  const config = testConfig();
  let stored: Map<string, string[]>;
  let reads: string[];
  let roles: RoleCache;

  beforeEach(() => {
    stored = new Map([
      ['t1:reader', ['reports:read']],
      ['t1:writer', ['reports:write', 'reports:read']],
      ['t2:reader', ['other:read']],
    ]);
    reads = [];
    const lookUp = {
      execute: async (tenantId: string, name: string) => {
        reads.push(`${tenantId}:${name}`);
        return stored.get(`${tenantId}:${name}`) ?? null;
      },
    } as unknown as LookUpRoleUseCase;
    roles = new RoleCache(
      lookUp,
      new VerifyMetrics(new Metrics('verify')),
      new InvalidationSubscriber(config),
      new KeyStoreFailures(),
      config,
    );
  });

  const key = (tenantId: string, names: string[]) => verifiableKey({ tenantId, scopes: ['own'], roles: names });

  it('answers a key without roles with the key itself, without a promise or a read', () => {
    const plain = key('t1', []);
    expect(roles.withRoles(plain)).toBe(plain);
    expect(reads).toEqual([]);
  });

  it("reads each role once, then answers the same effective record without a promise while the roles don't change", async () => {
    const record = key('t1', ['reader', 'writer']);
    const first = await roles.withRoles(record);
    expect(first.scopes).toEqual(['own', 'reports:read', 'reports:write']);
    expect(first).toMatchObject({ id: record.id, roles: ['reader', 'writer'] });
    expect(record.scopes).toEqual(['own']); // the cached key record itself is never changed
    expect(roles.withRoles(record)).toBe(first);
    // Another key with the same role reads nothing more.
    expect((roles.withRoles(key('t1', ['reader'])) as { scopes: string[] }).scopes).toEqual(['own', 'reports:read']);
    expect(reads.sort()).toEqual(['t1:reader', 't1:writer']);
  });

  it('drops only the changed role of that tenant: its keys take the new scopes, others keep theirs without a read', async () => {
    const withReader = key('t1', ['reader']);
    const withWriter = key('t1', ['writer']);
    const otherTenant = key('t2', ['reader']);
    const before = [await roles.withRoles(withReader), await roles.withRoles(withWriter), await roles.withRoles(otherTenant)];
    reads = [];

    stored.set('t1:reader', ['reports:read', 'reports:export']);
    roles.onInvalidation({ kind: 'role', tenantId: 't1', name: 'reader' });

    const changed = roles.withRoles(withReader);
    expect(changed).toBeInstanceOf(Promise);
    expect((await changed).scopes).toEqual(['own', 'reports:read', 'reports:export']);
    expect(roles.withRoles(withWriter)).toBe(before[1]);
    expect(roles.withRoles(otherTenant)).toBe(before[2]);
    expect(reads).toEqual(['t1:reader']);
  });

  it('ignores other invalidations, and forgets every role after a subscription gap', async () => {
    const record = key('t1', ['reader']);
    const first = await roles.withRoles(record);
    roles.onInvalidation({ kind: 'key', id: record.id, tenantId: 't1' });
    roles.onInvalidation({ kind: 'tenant', id: 't1' });
    expect(roles.withRoles(record)).toBe(first);
    roles.onSubscriptionGap();
    expect(roles.withRoles(record)).toBeInstanceOf(Promise);
  });

  it('grants nothing for a role that is gone', async () => {
    expect((await roles.withRoles(key('t1', ['gone', 'reader']))).scopes).toEqual(['own', 'reports:read']);
  });
});
