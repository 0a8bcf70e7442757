import { type TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditCheckpoint } from './domain/audit-checkpoint';
import { GENESIS_HASH } from './domain/hash-chain';

interface CheckpointRow {
  tenant_id: string;
  seq: string;
  head_hash: string;
  issued_at: Date;
  key_id: string;
  signature: string;
}

function toCheckpoint(row: CheckpointRow): AuditCheckpoint {
  return {
    tenantId: row.tenant_id,
    seq: Number(row.seq),
    headHash: row.head_hash,
    issuedAt: row.issued_at.toISOString(),
    keyId: row.key_id,
    signature: row.signature,
  };
}

/** The checkpoints the worker keeps (append-only, see migration 1766000000000-audit-checkpoints.ts). */
@Injectable()
export class AuditCheckpointsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The chain's head as committed now (not locked: a checkpoint is of a moment). */
  async head(tx: TenantTx): Promise<{ seq: number; hash: string }> {
    const [row]: Array<{ seq: string; hash: string }> = await tx.manager.query(
      `SELECT seq, hash FROM audit_chain_heads WHERE tenant_id = $1`,
      [tx.tenantId],
    );
    return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  /** The last checkpoint kept of the tenant's chain, if any. */
  async lastKept(tx: TenantTx): Promise<{ seq: number; headHash: string } | null> {
    const [row]: Array<{ seq: string; head_hash: string }> = await tx.manager.query(
      `SELECT seq, head_hash FROM audit_checkpoints WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1`,
      [tx.tenantId],
    );
    return row ? { seq: Number(row.seq), headHash: row.head_hash } : null;
  }

  /** The stored hash of the event at `seq`, or null when there is none. */
  async hashAt(tx: TenantTx, seq: number): Promise<string | null> {
    const [row]: Array<{ hash: string }> = await tx.manager.query(`SELECT hash FROM audit_events WHERE tenant_id = $1 AND seq = $2`, [
      tx.tenantId,
      seq,
    ]);
    return row?.hash ?? null;
  }

  /** Keeps `checkpoint`; false when one of its seq was kept already (a run that raced this one). */
  async insert(tx: TenantTx, checkpoint: AuditCheckpoint): Promise<boolean> {
    const inserted: unknown[] = await tx.manager.query(
      `INSERT INTO audit_checkpoints (tenant_id, seq, head_hash, issued_at, key_id, signature)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, seq) DO NOTHING RETURNING seq`,
      [tx.tenantId, checkpoint.seq, checkpoint.headHash, checkpoint.issuedAt, checkpoint.keyId, checkpoint.signature],
    );
    return inserted.length === 1;
  }

  /** Up to `limit` kept checkpoints after `afterSeq`, in seq order. */
  async find(tx: TenantTx, afterSeq: number | undefined, limit: number): Promise<AuditCheckpoint[]> {
    const rows: CheckpointRow[] = await tx.manager.query(
      `SELECT * FROM audit_checkpoints WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [tx.tenantId, afterSeq ?? -1, limit],
    );
    return rows.map(toCheckpoint);
  }

  /** Tenants whose chain moved past their last kept checkpoint, of every tenant, in id order after `afterId`. */
  async tenantsDue(afterId: string | null, limit: number): Promise<string[]> {
    const rows: Array<{ tenant_id: string }> = await this.dataSource.query(
      'SELECT tenant_id FROM keyward_tenants_due_for_audit_checkpoint($1, $2)',
      [afterId, limit],
    );
    return rows.map((row) => row.tenant_id);
  }
}
