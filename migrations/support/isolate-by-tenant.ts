import type { QueryRunner } from 'typeorm';

/**
 * The isolation every tenant table gets: row-level security enabled and forced; the owner (the
 * migrations, SECURITY DEFINER functions) keeps full access, as it could switch RLS off anyway;
 * keyward_app sees and writes only rows of the transaction's tenant, and gets only `privileges`.
 */
export async function isolateByTenant(q: QueryRunner, table: string, privileges: string): Promise<void> {
  await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  await q.query(`CREATE POLICY ${table}_owner ON ${table} TO CURRENT_USER USING (true) WITH CHECK (true)`);
  await q.query(`
    CREATE POLICY ${table}_isolation ON ${table} TO keyward_app
    USING (tenant_id = keyward_current_tenant())
    WITH CHECK (tenant_id = keyward_current_tenant())`);
  await q.query(`GRANT ${privileges} ON ${table} TO keyward_app`);
}
