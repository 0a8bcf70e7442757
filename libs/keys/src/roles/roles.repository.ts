import { decodeCursor, toPage, type Page, type TenantTx } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { Role } from '../domain/role';

interface RoleRow {
  id: string;
  tenant_id: string;
  name: string;
  scopes: string[];
  description: string | null;
  created_at: Date;
  updated_at: Date;
  /** Only from upsert(): whether the row was inserted rather than updated. */
  inserted?: boolean;
}

const COLUMNS = 'id, tenant_id, name, scopes, description, created_at, updated_at';

function toRole(row: RoleRow): Role {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    scopes: row.scopes,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

@Injectable()
export class RolesRepository {
  /** Creates the role or replaces its scopes and description; says which. */
  async upsert(
    tx: TenantTx,
    role: { name: string; scopes: string[]; description: string | null },
  ): Promise<{ role: Role; created: boolean }> {
    const [row]: RoleRow[] = await tx.manager.query(
      `INSERT INTO roles (tenant_id, name, scopes, description) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, name) DO UPDATE SET scopes = EXCLUDED.scopes, description = EXCLUDED.description, updated_at = now()
       RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
      [tx.tenantId, role.name, role.scopes, role.description],
    );
    return { role: toRole(row), created: row.inserted === true };
  }

  /** The role, locked against deletion and change until the transaction ends when `lock` says so. */
  async findByName(tx: TenantTx, name: string, lock?: 'FOR UPDATE'): Promise<Role | null> {
    const rows: RoleRow[] = await tx.manager.query(`SELECT ${COLUMNS} FROM roles WHERE tenant_id = $1 AND name = $2 ${lock ?? ''}`, [
      tx.tenantId,
      name,
    ]);
    return rows[0] ? toRole(rows[0]) : null;
  }

  /**
   * Which of `names` are roles of the tenant, each locked FOR SHARE until the transaction ends: a
   * key given a role and the role's deletion serialise on it, so neither commits past the other.
   */
  async lockExisting(tx: TenantTx, names: readonly string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows: Array<{ name: string }> = await tx.manager.query(
      `SELECT name FROM roles WHERE tenant_id = $1 AND name = ANY($2::text[]) FOR SHARE`,
      [tx.tenantId, names],
    );
    return new Set(rows.map((row) => row.name));
  }

  /** The scopes of the tenant's roles of these names (the verify service's read); absent names are left out. */
  async scopesOf(tx: TenantTx, names: readonly string[]): Promise<Map<string, string[]>> {
    const rows: Array<{ name: string; scopes: string[] }> = await tx.manager.query(
      `SELECT name, scopes FROM roles WHERE tenant_id = $1 AND name = ANY($2::text[])`,
      [tx.tenantId, names],
    );
    return new Map(rows.map((row) => [row.name, row.scopes]));
  }

  /** How many keys that are not revoked have the role. */
  async countKeysWith(tx: TenantTx, name: string): Promise<number> {
    const [row]: Array<{ count: string }> = await tx.manager.query(
      `SELECT count(*) AS count FROM api_keys WHERE tenant_id = $1 AND roles @> ARRAY[$2::text] AND revoked_at IS NULL`,
      [tx.tenantId, name],
    );
    return Number(row.count);
  }

  async delete(tx: TenantTx, name: string): Promise<void> {
    await tx.manager.query(`DELETE FROM roles WHERE tenant_id = $1 AND name = $2`, [tx.tenantId, name]);
  }

  async list(tx: TenantTx, limit: number, cursor?: string): Promise<Page<Role>> {
    const params: unknown[] = [tx.tenantId];
    let after = '';
    if (cursor) {
      const position = decodeCursor(cursor);
      params.push(position.createdAt, position.id);
      after = ' AND (created_at, id) > ($2, $3)';
    }
    params.push(limit + 1);
    const rows: RoleRow[] = await tx.manager.query(
      `SELECT ${COLUMNS} FROM roles WHERE tenant_id = $1${after} ORDER BY created_at, id LIMIT $${params.length}`,
      params,
    );
    return toPage(rows.map(toRole), limit);
  }
}
