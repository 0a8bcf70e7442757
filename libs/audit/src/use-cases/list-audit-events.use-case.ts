import { TenantTransactions, ValidationFailedError, type Page } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { AuditRepository, type AuditEventFilter } from '../audit.repository';
import type { AuditEvent } from '../domain/audit-event';

export function encodeSeqCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

export function decodeSeqCursor(cursor: string): number {
  const match = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ValidationFailedError([{ field: 'cursor', message: 'is not a cursor this API returned' }]);
  return Number(match[1]);
}

/** Given up to limit+1 rows in seq order, the page of `limit` and the cursor after its last row. */
export function seqPage<T extends { seq: number }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? encodeSeqCursor(data[data.length - 1].seq) : null };
}

export interface ListAuditEventsQuery extends Omit<AuditEventFilter, 'afterSeq' | 'upToSeq'> {
  tenantId: string;
  limit: number;
  cursor?: string;
}

@Injectable()
export class ListAuditEventsUseCase {
  constructor(
    private readonly transactions: TenantTransactions,
    private readonly repository: AuditRepository,
  ) {}

  async execute({ tenantId, limit, cursor, ...filter }: ListAuditEventsQuery): Promise<Page<AuditEvent>> {
    const afterSeq = cursor ? decodeSeqCursor(cursor) : undefined;
    const rows = await this.transactions.run(tenantId, (tx) => this.repository.find(tx, { ...filter, afterSeq }, limit + 1));
    return seqPage(rows, limit);
  }
}
