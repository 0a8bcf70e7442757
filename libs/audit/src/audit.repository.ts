import { type TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { AuditEvent } from './domain/audit-event';
import { GENESIS_HASH } from './domain/hash-chain';

export interface AuditEventFilter {
  from?: Date;
  to?: Date;
  action?: string;
  keyId?: string;
  actorId?: string;
  /** Only events with a seq above this one. */
  afterSeq?: number;
  /** Only events with a seq up to this one. */
  upToSeq?: number;
}

interface AuditEventRow {
  id: string;
  seq: string;
  occurred_at: Date;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  request_id: string | null;
  ip: string | null;
  details: AuditEvent['details'];
  prev_hash: string;
  hash: string;
}

function toEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    seq: Number(row.seq),
    occurredAt: row.occurred_at.toISOString(),
    actor: { type: row.actor_type, id: row.actor_id },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    requestId: row.request_id,
    ip: row.ip,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

@Injectable()
export class AuditRepository {
  /**
   * The chain's head, locked until the transaction ends: concurrent appenders of one tenant queue
   * here, so each reads the seq and hash its predecessor committed. Creates the head on first use.
   */
  async lockHead(tx: TenantTx): Promise<{ seq: number; hash: string }> {
    const [head]: Array<{ seq: string; hash: string }> = await tx.manager.query(
      `INSERT INTO audit_chain_heads (tenant_id, seq, hash) VALUES ($1, 0, $2)
       ON CONFLICT (tenant_id) DO UPDATE SET seq = audit_chain_heads.seq
       RETURNING seq, hash`,
      [tx.tenantId, GENESIS_HASH],
    );
    return { seq: Number(head.seq), hash: head.hash };
  }

  /** Stores `events`, consecutive and in seq order, in one statement, and moves the head to the last. */
  async appendAll(tx: TenantTx, events: readonly AuditEvent[]): Promise<void> {
    const column = <T>(pick: (event: AuditEvent) => T): T[] => events.map(pick);
    await tx.manager.query(
      `INSERT INTO audit_events (id, tenant_id, seq, occurred_at, actor_type, actor_id, action, target_type, target_id,
                                 request_id, ip, details, prev_hash, hash)
       SELECT e.id, $1, e.seq, e.occurred_at, e.actor_type, e.actor_id, e.action, e.target_type, e.target_id,
              e.request_id, e.ip, e.details, e.prev_hash, e.hash
         FROM unnest($2::uuid[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::text[], $12::jsonb[], $13::text[], $14::text[])
           AS e(id, seq, occurred_at, actor_type, actor_id, action, target_type, target_id, request_id, ip, details, prev_hash, hash)`,
      [
        tx.tenantId,
        column((event) => event.id),
        column((event) => event.seq),
        column((event) => event.occurredAt),
        column((event) => event.actor.type),
        column((event) => event.actor.id),
        column((event) => event.action),
        column((event) => event.target.type),
        column((event) => event.target.id),
        column((event) => event.requestId),
        column((event) => event.ip),
        column((event) => JSON.stringify(event.details)),
        column((event) => event.prevHash),
        column((event) => event.hash),
      ],
    );
    const last = events[events.length - 1];
    await tx.manager.query(`UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE tenant_id = $1`, [tx.tenantId, last.seq, last.hash]);
  }

  async headSeq(tx: TenantTx): Promise<number> {
    const rows: Array<{ seq: string }> = await tx.manager.query(`SELECT seq FROM audit_chain_heads WHERE tenant_id = $1`, [tx.tenantId]);
    return rows.length ? Number(rows[0].seq) : 0;
  }

  /** Up to `limit` events matching `filter`, in seq order. */
  async find(tx: TenantTx, filter: AuditEventFilter, limit: number): Promise<AuditEvent[]> {
    const conditions = ['tenant_id = $1'];
    const params: unknown[] = [tx.tenantId];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      conditions.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.from) add('occurred_at >= ?', filter.from);
    if (filter.to) add('occurred_at < ?', filter.to);
    if (filter.action) add('action = ?', filter.action);
    if (filter.keyId) add(`target_type = 'key' AND target_id = ?`, filter.keyId);
    if (filter.actorId) add('actor_id = ?', filter.actorId);
    if (filter.afterSeq !== undefined) add('seq > ?', filter.afterSeq);
    if (filter.upToSeq !== undefined) add('seq <= ?', filter.upToSeq);
    params.push(limit);
    const rows: AuditEventRow[] = await tx.manager.query(
      `SELECT * FROM audit_events WHERE ${conditions.join(' AND ')} ORDER BY seq LIMIT $${params.length}`,
      params,
    );
    return rows.map(toEvent);
  }
}
