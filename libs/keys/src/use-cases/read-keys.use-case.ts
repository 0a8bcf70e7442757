import { TenantTransactions, type Page } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { KeyNotFoundError, type ApiKey } from '../domain/api-key';
import { KeysRepository, type KeyListFilter } from '../keys.repository';

@Injectable()
export class GetKeyUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly keys: KeysRepository,
  ) {}

  async execute(tenantId: string, keyId: string): Promise<ApiKey> {
    const key = await this.transactions.run(tenantId, (tx) => this.keys.findById(tx, keyId));
    if (!key) throw new KeyNotFoundError();
    return key;
  }
}

@Injectable()
export class ListKeysUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly keys: KeysRepository,
  ) {}

  execute(tenantId: string, filter: KeyListFilter): Promise<Page<ApiKey>> {
    return this.transactions.run(tenantId, (tx) => this.keys.list(tx, filter));
  }
}
