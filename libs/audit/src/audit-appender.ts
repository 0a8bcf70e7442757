import type { ChangeContext, TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditRepository } from './audit.repository';
import type { AuditAction, AuditEvent, AuditEventBody, JsonValue } from './domain/audit-event';
import { hashEvent } from './domain/hash-chain';

export interface AuditEntry {
  action: AuditAction;
  target: { type: string; id: string };
  /** What changed. Never a secret: no key, token or hash belongs here. */
  details?: { [name: string]: JsonValue };
}

/**
 * Appends to the tenant's chain inside the caller's transaction, so an event exists if and only if
 * the change it records was committed. Call it last in the transaction: it holds the chain's lock
 * until commit.
 */
@Injectable()
export class AuditAppender {
  constructor(private readonly repository: AuditRepository) {}

  async append(tx: TenantTx, change: Pick<ChangeContext, 'actor'> & Partial<ChangeContext>, entry: AuditEntry): Promise<AuditEvent> {
    const [event] = await this.appendAll(tx, change, [entry]);
    return event;
  }

  /** Appends several events of one change in order, in one statement (a batch of revocations). */
  async appendAll(
    tx: TenantTx,
    change: Pick<ChangeContext, 'actor'> & Partial<ChangeContext>,
    entries: readonly AuditEntry[],
  ): Promise<AuditEvent[]> {
    if (entries.length === 0) return [];
    let head = await this.repository.lockHead(tx);
    const occurredAt = new Date().toISOString();
    const events = entries.map((entry): AuditEvent => {
      const body: AuditEventBody = {
        id: randomUUID(),
        seq: head.seq + 1,
        occurredAt,
        actor: { type: change.actor.type, id: change.actor.id },
        action: entry.action,
        target: entry.target,
        requestId: change.requestId ?? null,
        ip: change.ip ?? null,
        details: entry.details ?? {},
      };
      const event: AuditEvent = { ...body, prevHash: head.hash, hash: hashEvent(head.hash, body) };
      head = { seq: event.seq, hash: event.hash };
      return event;
    });
    await this.repository.appendAll(tx, events);
    return events;
  }
}
