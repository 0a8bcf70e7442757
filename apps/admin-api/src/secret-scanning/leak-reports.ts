// What a leak report does (docs/secret-scanning.md): the reported tokens that are keys or credentials
// of this deployment, of any tenant, are found by their keyed hashes in one statement each, then
// handled tenant by tenant, each tenant's in one transaction: keys as its policy's leakedKeyAction
// says, credentials revoked. The answer labels every reported token; no token is ever logged.
import { isWellFormedCredentialToken, RevokeLeakedCredentialsUseCase, type CredentialLeak } from '@keyward/credentials';
import { parseApiKey, ReportKeyLeaksUseCase, type KeyLeak } from '@keyward/keys';
import { KEYWARD_CONFIG, KeyedHasher, type ChangeContext, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { LeakReportItem } from './leak-report';

export type LeakLabel = 'true_positive' | 'false_positive';

export interface LeakFeedback {
  token_hash: string;
  token_type: string;
  label: LeakLabel;
}

/** Tenants handled at once: each is one transaction, so this bounds the connections one report holds. */
const TENANTS_AT_ONCE = 4;

/** The leaks of one tenant, of keys and of credentials, in the order reported. */
interface TenantLeaks {
  keys: KeyLeak[];
  credentials: CredentialLeak[];
}

@Injectable()
export class LeakReports {
  constructor(
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    private readonly hasher: KeyedHasher,
    private readonly keyLeaks: ReportKeyLeaksUseCase,
    private readonly credentialLeaks: RevokeLeakedCredentialsUseCase,
  ) {}

  async handle(items: readonly LeakReportItem[], change: ChangeContext): Promise<LeakFeedback[]> {
    // Only well-formed tokens (shape and checksum) can be ours: the rest are never looked up.
    const keyHashes = new Map<string, Buffer>();
    const credentialHashes = new Map<string, Buffer>();
    for (const { token } of items) {
      if (parseApiKey(token, this.config.keyPrefix)) keyHashes.set(token, this.hasher.hash(token));
      else if (isWellFormedCredentialToken(token, this.config.keyPrefix)) credentialHashes.set(token, this.hasher.hash(token));
    }
    const [keys, credentials] = await Promise.all([
      this.keyLeaks.find([...keyHashes.values()]),
      this.credentialLeaks.find([...credentialHashes.values()]),
    ]);
    const keyOf = new Map(keys.map((match) => [match.keyHash.toString('hex'), match]));
    const credentialOf = new Map(credentials.map((match) => [match.tokenHash.toString('hex'), match]));

    const byTenant = new Map<string, TenantLeaks>();
    const leaksOf = (tenantId: string): TenantLeaks => {
      let leaks = byTenant.get(tenantId);
      if (!leaks) byTenant.set(tenantId, (leaks = { keys: [], credentials: [] }));
      return leaks;
    };
    const ours = new Set<string>();
    for (const { token, url, source } of items) {
      const key = keyOf.get(keyHashes.get(token)?.toString('hex') ?? '');
      const credential = credentialOf.get(credentialHashes.get(token)?.toString('hex') ?? '');
      if (key) leaksOf(key.tenantId).keys.push({ keyId: key.keyId, url, source });
      else if (credential) leaksOf(credential.tenantId).credentials.push({ credentialId: credential.credentialId, url, source });
      else continue;
      ours.add(token);
    }

    const tenants = [...byTenant];
    for (let start = 0; start < tenants.length; start += TENANTS_AT_ONCE) {
      await Promise.all(
        tenants.slice(start, start + TENANTS_AT_ONCE).map(async ([tenantId, leaks]) => {
          if (leaks.credentials.length > 0) await this.credentialLeaks.execute({ tenantId, leaks: leaks.credentials, change });
          if (leaks.keys.length > 0) await this.keyLeaks.execute({ tenantId, leaks: leaks.keys, change });
        }),
      );
    }

    return items.map(({ token, type }) => ({
      token_hash: createHash('sha256').update(token, 'utf8').digest('hex'),
      token_type: type,
      label: ours.has(token) ? 'true_positive' : 'false_positive',
    }));
  }
}
