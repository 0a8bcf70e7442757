import type { MigrationInterface, QueryRunner } from 'typeorm';
import { makeAppendOnly } from './support/append-only';
import { isolateByTenant } from './support/isolate-by-tenant';

/**
 * The tamper-evident audit log (docs/auditing.md): one hash chain per tenant. Events can be
 * inserted and read, never changed: a trigger refuses UPDATE, DELETE and TRUNCATE for every role,
 * the table's owner included. `audit_chain_heads` holds each chain's last seq and hash; its row
 * lock is what makes seq gapless under concurrent writers of one tenant, while writers of
 * different tenants lock different rows and never wait on each other.
 */
export class AuditLog1763880000000 implements MigrationInterface {
  name = 'AuditLog1763880000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        seq bigint NOT NULL CHECK (seq >= 1),
        occurred_at timestamptz(3) NOT NULL,
        actor_type text NOT NULL,
        actor_id text NOT NULL,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text NOT NULL,
        request_id text,
        ip text,
        details jsonb NOT NULL,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        UNIQUE (tenant_id, seq)
      )`);
    await q.query(`CREATE INDEX audit_events_tenant_occurred ON audit_events (tenant_id, occurred_at)`);
    await q.query(`CREATE INDEX audit_events_tenant_target ON audit_events (tenant_id, target_id)`);
    await q.query(`CREATE INDEX audit_events_tenant_actor ON audit_events (tenant_id, actor_id)`);

    await q.query(`
      CREATE TABLE audit_chain_heads (
        tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
        seq bigint NOT NULL,
        hash char(64) NOT NULL
      )`);

    await makeAppendOnly(q, 'audit_events', 'keyward_refuse_audit_change', 'audit events');

    // The app may append and read events; it may move a chain's head, never an event.
    await isolateByTenant(q, 'audit_events', 'SELECT, INSERT');
    await isolateByTenant(q, 'audit_chain_heads', 'SELECT, INSERT, UPDATE');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_chain_heads`);
    await q.query(`DROP TABLE IF EXISTS audit_events`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_refuse_audit_change()`);
  }
}
