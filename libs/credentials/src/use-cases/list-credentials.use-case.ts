import { TenantTransactions, type Page } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { CredentialsRepository } from '../credentials.repository';
import type { Credential } from '../domain/credential';
import { TenantOfCredentialNotFoundError, TenantPresence } from './tenant-presence';

@Injectable()
export class ListCredentialsUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly credentials: CredentialsRepository,
    private readonly tenantPresence: TenantPresence,
  ) {}

  execute(query: { tenantId: string; limit: number; cursor?: string }): Promise<Page<Credential>> {
    return this.transactions.run(query.tenantId, async (tx) => {
      if (!(await this.tenantPresence.exists(tx))) throw new TenantOfCredentialNotFoundError();
      return this.credentials.list(tx, query.limit, query.cursor);
    });
  }
}
