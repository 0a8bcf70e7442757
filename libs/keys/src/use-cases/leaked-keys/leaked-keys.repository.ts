import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface LeakedKeyMatch {
  keyId: string;
  tenantId: string;
  keyHash: Buffer;
}

/**
 * The one look-up of a leak report that precedes knowing the tenant: the keys of any tenant whose
 * keyed hash is among `keyHashes` (at most 1,000), in one indexed statement, through the narrow
 * SECURITY DEFINER function of the migrations. What is done to them then runs in their tenant's transaction.
 */
@Injectable()
export class LeakedKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByHashes(keyHashes: Buffer[]): Promise<LeakedKeyMatch[]> {
    if (keyHashes.length === 0) return [];
    const rows: Array<{ key_id: string; tenant_id: string; key_hash: Buffer }> = await this.dataSource.query(
      'SELECT * FROM keyward_find_leaked_keys($1::bytea[])',
      [keyHashes],
    );
    return rows.map((row) => ({ keyId: row.key_id, tenantId: row.tenant_id, keyHash: row.key_hash }));
  }
}
