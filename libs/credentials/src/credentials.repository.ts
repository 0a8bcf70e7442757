import { decodeCursor, toPage, type CredentialRole, type Page, type TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CredentialEntity } from './credential.entity';
import type { Credential } from './domain/credential';

export interface NewCredential {
  name: string;
  role: CredentialRole;
  tokenHash: Buffer;
  expiresAt: Date | null;
}

export interface AuthenticatedCredential {
  credentialId: string;
  tenantId: string;
  role: CredentialRole;
  expiresAt: Date | null;
  revokedAt: Date | null;
  tenantStatus: 'active' | 'suspended';
}

export interface LeakedCredentialMatch {
  credentialId: string;
  tenantId: string;
  tokenHash: Buffer;
}

function toCredential(entity: CredentialEntity): Credential {
  const { tokenHash: _omitted, ...credential } = entity;
  return credential;
}

@Injectable()
export class CredentialsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: TenantTx, fields: NewCredential): Promise<Credential> {
    const saved = await tx.manager.save(CredentialEntity, tx.manager.create(CredentialEntity, { ...fields, tenantId: tx.tenantId }));
    return toCredential(saved);
  }

  findById(tx: TenantTx, id: string): Promise<Credential | null> {
    return tx.manager.findOne(CredentialEntity, { where: { tenantId: tx.tenantId, id } });
  }

  async list(tx: TenantTx, limit: number, cursor?: string): Promise<Page<Credential>> {
    const query = tx.manager
      .createQueryBuilder(CredentialEntity, 'c')
      .where('c.tenant_id = :tenantId', { tenantId: tx.tenantId })
      .orderBy('c.created_at', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .limit(limit + 1);
    if (cursor) query.andWhere('(c.created_at, c.id) > (:createdAt, :id)', decodeCursor(cursor));
    return toPage(await query.getMany(), limit);
  }

  /**
   * Marks the credential revoked unless it already is; returns it and whether this call revoked
   * it, or null when not found.
   */
  async revoke(tx: TenantTx, id: string): Promise<{ credential: Credential; changed: boolean } | null> {
    const result = await tx.manager
      .createQueryBuilder()
      .update(CredentialEntity)
      .set({ revokedAt: () => 'now()' })
      .where('tenant_id = :tenantId AND id = :id AND revoked_at IS NULL', { tenantId: tx.tenantId, id })
      .execute();
    const credential = await this.findById(tx, id);
    return credential ? { credential, changed: (result.affected ?? 0) > 0 } : null;
  }

  /**
   * The look-up that precedes knowing the tenant, through the narrow SECURITY DEFINER function of
   * the migrations: it finds a credential by keyed hash and nothing else.
   */
  async findByTokenHash(tokenHash: Buffer): Promise<AuthenticatedCredential | null> {
    const rows: Array<{
      credential_id: string;
      tenant_id: string;
      role: CredentialRole;
      expires_at: Date | null;
      revoked_at: Date | null;
      tenant_status: 'active' | 'suspended';
    }> = await this.dataSource.query('SELECT * FROM keyward_authenticate_credential($1)', [tokenHash]);
    const row = rows[0];
    return row
      ? {
          credentialId: row.credential_id,
          tenantId: row.tenant_id,
          role: row.role,
          expiresAt: row.expires_at,
          revokedAt: row.revoked_at,
          tenantStatus: row.tenant_status,
        }
      : null;
  }

  /**
   * The credentials of any tenant whose keyed hash is among `tokenHashes` (at most 1,000), in one
   * indexed statement: the leak report's look-up, through its SECURITY DEFINER function.
   */
  async findLeaked(tokenHashes: Buffer[]): Promise<LeakedCredentialMatch[]> {
    if (tokenHashes.length === 0) return [];
    const rows: Array<{ credential_id: string; tenant_id: string; token_hash: Buffer }> = await this.dataSource.query(
      'SELECT * FROM keyward_find_leaked_credentials($1::bytea[])',
      [tokenHashes],
    );
    return rows.map((row) => ({ credentialId: row.credential_id, tenantId: row.tenant_id, tokenHash: row.token_hash }));
  }
}
