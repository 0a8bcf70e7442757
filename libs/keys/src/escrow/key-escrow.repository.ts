import type { TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The plaintext of a successor made by scheduled rotation, sealed (AES-256-GCM) until it is
 * revealed once or its grace period ends (docs/api.md, Secrets). Sealing happens in the use cases.
 */
@Injectable()
export class KeyEscrowRepository {
  constructor(private readonly dataSource: DataSource) {}

  async put(tx: TenantTx, keyId: string, sealedKey: Buffer, expiresAt: Date): Promise<void> {
    await tx.manager.query(`INSERT INTO key_escrows (key_id, tenant_id, sealed_key, expires_at) VALUES ($1, $2, $3, $4)`, [
      keyId,
      tx.tenantId,
      sealedKey,
      expiresAt,
    ]);
  }

  /** Removes and returns the sealed key, if there is one still within its grace period. */
  async take(tx: TenantTx, keyId: string): Promise<Buffer | null> {
    const [rows]: [Array<{ sealed_key: Buffer; expires_at: Date }>, number] = await tx.manager.query(
      `DELETE FROM key_escrows WHERE tenant_id = $1 AND key_id = $2 RETURNING sealed_key, expires_at`,
      [tx.tenantId, keyId],
    );
    const row = rows[0];
    return row && row.expires_at.getTime() > Date.now() ? row.sealed_key : null;
  }

  /** Escrows of every tenant whose grace has ended, deleted (a SECURITY DEFINER function). */
  async purgeExpired(): Promise<number> {
    const [row] = await this.dataSource.query('SELECT keyward_purge_expired_escrows() AS purged');
    return Number(row.purged);
  }

  /** Keys of every tenant due for scheduled rotation (a SECURITY DEFINER function). */
  async dueRotations(maxKeys: number): Promise<Array<{ tenantId: string; keyId: string }>> {
    const rows: Array<{ tenant_id: string; key_id: string }> = await this.dataSource.query('SELECT * FROM keyward_due_rotations($1)', [
      maxKeys,
    ]);
    return rows.map((row) => ({ tenantId: row.tenant_id, keyId: row.key_id }));
  }
}

export function escrowAssociatedData(keyId: string): string {
  return `key-escrow:${keyId}`;
}
