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
  ) {}

  async execute(command: RevokeCredentialCommand): Promise<Credential> {
    const credential = await this.transactions.run(command.tenantId, (tx) => this.credentials.revoke(tx, command.credentialId));
    if (!credential) throw new CredentialNotFoundError();
    await this.invalidations.publish({ kind: 'credential', id: credential.id });
    return credential;
  }
}
