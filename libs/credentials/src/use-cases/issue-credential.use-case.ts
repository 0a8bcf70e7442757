import { AuditAppender } from '@keyward/audit';
import {
  KEYWARD_CONFIG,
  KeyedHasher,
  TenantTransactions,
  ValidationFailedError,
  type ChangeContext,
  type CredentialRole,
  type KeywardConfig,
} from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { CredentialsRepository } from '../credentials.repository';
import type { IssuedCredential } from '../domain/credential';
import { generateCredentialToken } from '../domain/credential-token';
import { TenantOfCredentialNotFoundError, TenantPresence } from './tenant-presence';

export interface IssueCredentialCommand {
  tenantId: string;
  name: string;
  role: CredentialRole;
  expiresAt: Date | null;
  change: ChangeContext;
}

/** Issues a tenant credential. The token is returned once and only its keyed hash is stored. */
@Injectable()
export class IssueCredentialUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly credentials: CredentialsRepository,
    private readonly tenantPresence: TenantPresence,
    private readonly hasher: KeyedHasher,
    private readonly audit: AuditAppender,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  execute(command: IssueCredentialCommand): Promise<IssuedCredential> {
    if (command.expiresAt && command.expiresAt.getTime() <= Date.now()) {
      throw new ValidationFailedError([{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    return this.transactions.run(command.tenantId, async (tx) => {
      if (!(await this.tenantPresence.exists(tx))) throw new TenantOfCredentialNotFoundError();
      const token = generateCredentialToken(this.config.keyPrefix);
      const credential = await this.credentials.insert(tx, {
        name: command.name,
        role: command.role,
        tokenHash: this.hasher.hash(token),
        expiresAt: command.expiresAt,
      });
      await this.audit.append(tx, command.change, {
        action: 'credential.created',
        target: { type: 'credential', id: credential.id },
        details: { name: credential.name, role: credential.role, expiresAt: credential.expiresAt?.toISOString() ?? null },
      });
      return { credential, token };
    });
  }
}
