// The scopes of roles, per (tenant, role name), in this process, and the key records with their
// effective scopes built from them (docs/api.md, Roles). A change to a role drops that role's one
// entry here (a `role` invalidation message): every key that has it takes the new scopes at its
// next verification, without any cached key being looked at. A key without roles never comes here.
import { effectiveScopes, LookUpRoleUseCase, type VerifiableKey } from '@keyward/keys';
import {
  InvalidatingCache,
  InvalidationSubscriber,
  KEYWARD_CONFIG,
  type InvalidationListener,
  type InvalidationMessage,
  type KeywardConfig,
} from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { KeyStoreFailures, readStore } from './key-cache';
import { VerifyMetrics } from './verify-metrics';

/** Roles kept per process: far more than the roles any tenant's hot keys have. */
const ROLES_KEPT = 10_000;

/** One role's scopes; a role that is gone (a race with its deletion) has none. */
interface RoleRecord {
  /** `<tenantId>:<name>`, the cache key and the id its invalidation names. */
  id: string;
  scopes: string[];
}

/** A key record with its effective scopes, and the role records they were built from. */
interface EffectiveKey {
  roles: RoleRecord[];
  key: VerifiableKey;
}

function roleId(tenantId: string, name: string): string {
  return `${tenantId}:${name}`;
}

@Injectable()
export class RoleCache implements InvalidationListener {
  private readonly cache: InvalidatingCache<RoleRecord>;
  /**
   * Per key record, its effective record: reused while each of its roles is the very record it was
   * built from, so a VALID answer of a key with roles is serialised once per role change, not per call.
   */
  private readonly effective = new WeakMap<VerifiableKey, EffectiveKey>();

  constructor(
    private readonly lookUpRole: LookUpRoleUseCase,
    private readonly metrics: VerifyMetrics,
    subscriber: InvalidationSubscriber,
    failures: KeyStoreFailures,
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
  ) {
    this.cache = new InvalidatingCache<RoleRecord>({
      max: ROLES_KEPT,
      ttlMs: config.verifyCacheTtlMs,
      negativeTtlMs: config.verifyCacheTtlMs,
      idOf: (role) => role.id,
      staleWhileFailing: failures,
    });
    subscriber.register(this);
  }

  /**
   * The key record whose `scopes` are its effective scopes (its own, then its roles'), without a
   * promise when every role is cached; a key without roles is its own answer.
   */
  withRoles(key: VerifiableKey): VerifiableKey | Promise<VerifiableKey> {
    const names = key.roles;
    if (names.length === 0) return key;
    const known = this.effective.get(key);
    const roles: RoleRecord[] = [];
    let unchanged = known !== undefined;
    for (let i = 0; i < names.length; i++) {
      const role = this.cache.peek(roleId(key.tenantId, names[i]));
      if (!role) return Promise.all(names.map((name) => this.role(key.tenantId, name))).then((loaded) => this.build(key, loaded));
      unchanged &&= known!.roles[i] === role;
      roles.push(role);
    }
    return unchanged ? known!.key : this.build(key, roles);
  }

  onInvalidation(message: InvalidationMessage): void {
    if (message.kind === 'role') this.cache.invalidateId(roleId(message.tenantId, message.name));
  }

  onSubscriptionGap(): void {
    this.cache.clear();
  }

  private build(key: VerifiableKey, roles: RoleRecord[]): VerifiableKey {
    const effective = {
      ...key,
      scopes: effectiveScopes(
        key.scopes,
        roles.map((role) => role.scopes),
      ),
    };
    this.effective.set(key, { roles, key: effective });
    return effective;
  }

  private async role(tenantId: string, name: string): Promise<RoleRecord> {
    const id = roleId(tenantId, name);
    const cached = this.cache.peek(id);
    if (cached) return cached;
    const role = await this.cache.load(id, async () => ({
      value: { id, scopes: (await readStore(() => this.lookUpRole.execute(tenantId, name), 'role look-up', this.metrics)) ?? [] },
    }));
    return role!;
  }
}
