import { AuditAppender } from '@keyward/audit';
import { InvalidationPublisher, TenantTransactions, type ChangeContext } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { CredentialsRepository } from '../credentials.repository';
import { CredentialNotFoundError, type Credential } from '../domain/credential';

export interface RevokeCredentialCommand {
  tenantId: string;
  credentialId: string;
  change: ChangeContext;
}

/**
 * Revokes a credential: the admin API looks credentials up on every request, so it stops working
 * there at once; verify processes drop their cached copy on the invalidation sent after commit.
 * Revoking a revoked credential changes nothing.
 */
@Injectable()
export class RevokeCredentialUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly credentials: CredentialsRepository,
    private readonly invalidations: InvalidationPublisher,
    private readonly audit: AuditAppender,
  ) {}

  async execute(command: RevokeCredentialCommand): Promise<Credential> {
    const result = await this.transactions.run(command.tenantId, async (tx) => {
      const outcome = await this.credentials.revoke(tx, command.credentialId);
      if (outcome?.changed) {
        await this.audit.append(tx, command.change, {
          action: 'credential.revoked',
          target: { type: 'credential', id: outcome.credential.id },
          details: { name: outcome.credential.name, role: outcome.credential.role },
        });
      }
      return outcome;
    });
    if (!result) throw new CredentialNotFoundError();
    if (result.changed) await this.invalidations.publish({ kind: 'credential', id: result.credential.id });
    return result.credential;
  }
}
