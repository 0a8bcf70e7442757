import { AuditAppender } from '@keyward/audit';
import { InvalidationPublisher, TenantTransactions, type ChangeContext } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { CredentialsRepository, type LeakedCredentialMatch } from '../credentials.repository';
import { CredentialNotFoundError } from '../domain/credential';

/** Where a credential was found leaked (docs/secret-scanning.md). */
export interface CredentialLeak {
  credentialId: string;
  url: string | null;
  source: string | null;
}

/**
 * Revokes credentials reported leaked, whatever the policy says (a leaked credential opens the whole
 * tenant), all of one tenant in one transaction: for each, the audit event credential.leaked
 * `{url, source, action: "revoke"}`, and credential.revoked when this revoked it. Verify processes
 * drop their cached copies on the invalidations sent after commit; the admin API looks credentials
 * up on every request.
 */
@Injectable()
export class RevokeLeakedCredentialsUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly credentials: CredentialsRepository,
    private readonly invalidations: InvalidationPublisher,
    private readonly audit: AuditAppender,
  ) {}

  /** The credentials of any tenant whose keyed hashes are given (at most 1,000), in one statement. */
  find(tokenHashes: Buffer[]): Promise<LeakedCredentialMatch[]> {
    return this.credentials.findLeaked(tokenHashes);
  }

  async execute(command: { tenantId: string; leaks: readonly CredentialLeak[]; change: ChangeContext }): Promise<void> {
    const revoked = await this.transactions.run(command.tenantId, async (tx) => {
      const changed: string[] = [];
      for (const leak of command.leaks) {
        const outcome = await this.credentials.revoke(tx, leak.credentialId);
        if (!outcome) throw new CredentialNotFoundError();
        const target = { type: 'credential', id: outcome.credential.id };
        await this.audit.append(tx, command.change, {
          action: 'credential.leaked',
          target,
          details: { url: leak.url, source: leak.source, action: 'revoke' },
        });
        if (!outcome.changed) continue;
        await this.audit.append(tx, command.change, {
          action: 'credential.revoked',
          target,
          details: { name: outcome.credential.name, role: outcome.credential.role },
        });
        changed.push(outcome.credential.id);
      }
      return changed;
    });
    for (const id of revoked) await this.invalidations.publish({ kind: 'credential', id });
  }
}
