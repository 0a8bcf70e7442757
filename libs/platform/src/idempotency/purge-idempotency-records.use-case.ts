import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Deletes idempotency records older than 24 hours, of every tenant (docs/api.md, Headers: stored answers are
 * purged after 24 h). Runs through a narrow SECURITY DEFINER function: the app role itself cannot
 * see across tenants.
 */
@Injectable()
export class PurgeIdempotencyRecordsUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(): Promise<{ purged: number }> {
    const [row] = await this.dataSource.query('SELECT keyward_purge_expired_idempotency_records() AS purged');
    return { purged: Number(row.purged) };
  }
}
