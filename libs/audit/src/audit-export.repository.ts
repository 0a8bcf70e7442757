// Exports are produced by PostgreSQL itself (COPY ... TO STDOUT) and streamed through as bytes:
// Node builds no object per event, so memory stays flat however many events match, and the
// socket's back-pressure reaches PostgreSQL through the stream chain.
import type { TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { escapeLiteral, type PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';

export type ExportFormat = 'ndjson' | 'csv';

export interface ExportRange {
  from?: Date;
  to?: Date;
}

/** occurredAt exactly as the API writes it (toISOString: milliseconds, Z). */
const OCCURRED_AT = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** One event as the API returns it (see toEvent in audit.repository.ts); a test holds the two equal. */
const EVENT_JSON = `json_build_object(
  'id', id, 'seq', seq, 'occurredAt', ${OCCURRED_AT},
  'actor', json_build_object('type', actor_type, 'id', actor_id), 'action', action,
  'target', json_build_object('type', target_type, 'id', target_id),
  'requestId', request_id, 'ip', ip, 'details', details, 'prevHash', prev_hash, 'hash', hash)`;

const CSV_COLUMNS = `id, seq, ${OCCURRED_AT} AS "occurredAt", actor_type AS "actorType", actor_id AS "actorId", action,
  target_type AS "targetType", target_id AS "targetId", request_id AS "requestId", ip, details::text AS details,
  prev_hash AS "prevHash", hash`;

@Injectable()
export class AuditExportRepository {
  /**
   * A COPY stream of the tenant's events in seq order, on the transaction's own connection. The
   * transaction must stay open until the stream ends.
   */
  async copyOut(tx: TenantTx, format: ExportFormat, range: ExportRange): Promise<Readable> {
    // COPY takes no bind parameters: every value below is a validated uuid or Date, and quoted.
    const conditions = [`tenant_id = ${escapeLiteral(tx.tenantId)}`];
    if (range.from) conditions.push(`occurred_at >= ${escapeLiteral(range.from.toISOString())}`);
    if (range.to) conditions.push(`occurred_at < ${escapeLiteral(range.to.toISOString())}`);
    const where = conditions.join(' AND ');
    // NDJSON through CSV mode with quote and delimiter characters that JSON text never contains
    // unescaped: text mode would double every backslash of the JSON.
    const statement =
      format === 'ndjson'
        ? `COPY (SELECT ${EVENT_JSON} FROM audit_events WHERE ${where} ORDER BY seq) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`
        : `COPY (SELECT ${CSV_COLUMNS} FROM audit_events WHERE ${where} ORDER BY seq) TO STDOUT WITH (FORMAT csv, HEADER)`;
    // An export may take longer than the API's usual statement time-out, as long as the client reads.
    await tx.manager.query(`SET LOCAL statement_timeout = 0`);
    // connect() of a connected query runner hands back its pg connection: the transaction's own.
    const connection = (await tx.manager.queryRunner!.connect()) as PoolClient;
    return connection.query(copyTo(statement));
  }
}
