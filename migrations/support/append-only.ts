import type { QueryRunner } from 'typeorm';

/**
 * Makes `table` append-only for every role, its owner included: a trigger function `refuse`
 * raises on UPDATE and DELETE (per row) and on TRUNCATE (per statement), saying `what` it guards.
 */
export async function makeAppendOnly(q: QueryRunner, table: string, refuse: string, what: string): Promise<void> {
  await q.query(`
    CREATE FUNCTION ${refuse}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '${what} are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await q.query(`
    CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
    FOR EACH ROW EXECUTE FUNCTION ${refuse}()`);
  await q.query(`
    CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
    FOR EACH STATEMENT EXECUTE FUNCTION ${refuse}()`);
}
