import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateByTenant } from './support/isolate-by-tenant';

/**
 * Usage signals (docs/api.md, Usage signals; docs/operations.md, the `signals` job):
 *
 * - The policy's thresholds.
 * - `credits_max`: the largest balance a pool has held since it got credits (kept by a trigger, so
 *   every way of setting or topping up a balance keeps it), the reference of `key.credits_low` for a
 *   pool without refills.
 * - What verify's usage flush records besides the counts, in the same statement: each key's
 *   highest share of a limit window used per hour (`key_limit_peaks`) and the networks it was
 *   verified from (`key_networks`, `new_at` set when a network is new to the key: unseen for 30 days).
 * - `signal_state`: one row per signal sent, unique per (tenant, subject, type, hour), inserted in
 *   the transaction of its webhook: a signal is sent at most once an hour however many runs race.
 */
export class UsageSignals1766400000000 implements MigrationInterface {
  name = 'UsageSignals1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tenant_policies
        ADD COLUMN credits_low_percent integer NOT NULL DEFAULT 20 CHECK (credits_low_percent BETWEEN 1 AND 100),
        ADD COLUMN limit_near_percent integer NOT NULL DEFAULT 75 CHECK (limit_near_percent BETWEEN 1 AND 100),
        ADD COLUMN spike_factor integer NOT NULL DEFAULT 5 CHECK (spike_factor BETWEEN 1 AND 1000),
        ADD COLUMN spike_minimum integer NOT NULL DEFAULT 100 CHECK (spike_minimum >= 1),
        ADD COLUMN new_source_signals boolean NOT NULL DEFAULT false`);

    await q.query(`ALTER TABLE api_keys ADD COLUMN credits_max bigint`);
    await q.query(`ALTER TABLE owners ADD COLUMN credits_max bigint`);
    await q.query(`UPDATE api_keys SET credits_max = remaining WHERE remaining IS NOT NULL`);
    await q.query(`UPDATE owners SET credits_max = remaining WHERE remaining IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION keyward_keep_credits_max() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.remaining IS NULL THEN
          NEW.credits_max := NULL;
        ELSIF TG_OP = 'INSERT' OR OLD.remaining IS NULL THEN
          NEW.credits_max := NEW.remaining;
        ELSE
          NEW.credits_max := GREATEST(COALESCE(OLD.credits_max, 0), NEW.remaining);
        END IF;
        RETURN NEW;
      END
      $$`);
    for (const table of ['api_keys', 'owners']) {
      await q.query(`
        CREATE TRIGGER ${table}_credits_max BEFORE INSERT OR UPDATE OF remaining ON ${table}
        FOR EACH ROW EXECUTE FUNCTION keyward_keep_credits_max()`);
    }

    await q.query(`
      CREATE TABLE key_limit_peaks (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        key_id uuid NOT NULL REFERENCES api_keys (id),
        hour timestamptz NOT NULL,
        scope text NOT NULL CHECK (scope IN ('key', 'owner')),
        limit_name text NOT NULL,
        peak_percent smallint NOT NULL CHECK (peak_percent BETWEEN 0 AND 100),
        PRIMARY KEY (key_id, hour, scope, limit_name)
      )`);
    await q.query(`CREATE INDEX key_limit_peaks_hour ON key_limit_peaks (hour)`);
    await isolateByTenant(q, 'key_limit_peaks', 'SELECT');

    await q.query(`
      CREATE TABLE key_networks (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        key_id uuid NOT NULL REFERENCES api_keys (id),
        network cidr NOT NULL,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        new_at timestamptz,
        PRIMARY KEY (key_id, network)
      )`);
    await q.query(`CREATE INDEX key_networks_new_at ON key_networks (new_at) WHERE new_at IS NOT NULL`);
    await q.query(`CREATE INDEX key_networks_last_seen ON key_networks (last_seen)`);
    await isolateByTenant(q, 'key_networks', 'SELECT');

    await q.query(`
      CREATE TABLE signal_state (
        tenant_id uuid NOT NULL REFERENCES tenants (id),
        subject_id uuid NOT NULL,
        type text NOT NULL,
        hour timestamptz NOT NULL,
        sent_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, subject_id, type, hour)
      )`);
    await q.query(`CREATE INDEX signal_state_hour ON signal_state (hour)`);
    await isolateByTenant(q, 'signal_state', 'SELECT, INSERT');

    // Verify's flush calls this in the statement of keyward_record_usage: no round trip of its own.
    await q.query(`
      CREATE FUNCTION keyward_record_signal_facts(peak_key_ids uuid[], peak_hours timestamptz[], peak_scopes text[],
                                                  peak_names text[], peak_percents smallint[],
                                                  net_key_ids uuid[], networks text[], seen_at timestamptz[])
      RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        WITH peaks AS (
          INSERT INTO key_limit_peaks (tenant_id, key_id, hour, scope, limit_name, peak_percent)
          SELECT k.tenant_id, p.key_id, p.hour, p.scope, p.name, max(p.percent)
            FROM unnest(peak_key_ids, peak_hours, peak_scopes, peak_names, peak_percents) AS p (key_id, hour, scope, name, percent)
            JOIN api_keys k ON k.id = p.key_id
           GROUP BY k.tenant_id, p.key_id, p.hour, p.scope, p.name
          ON CONFLICT (key_id, hour, scope, limit_name)
            DO UPDATE SET peak_percent = GREATEST(key_limit_peaks.peak_percent, excluded.peak_percent)
        )
        INSERT INTO key_networks (tenant_id, key_id, network, first_seen, last_seen, new_at)
        SELECT k.tenant_id, n.key_id, n.network::cidr, min(n.seen_at), max(n.seen_at), min(n.seen_at)
          FROM unnest(net_key_ids, networks, seen_at) AS n (key_id, network, seen_at)
          JOIN api_keys k ON k.id = n.key_id
         GROUP BY k.tenant_id, n.key_id, n.network::cidr
        ON CONFLICT (key_id, network) DO UPDATE SET
          last_seen = GREATEST(key_networks.last_seen, excluded.last_seen),
          new_at = CASE WHEN key_networks.last_seen < excluded.first_seen - interval '30 days'
                        THEN excluded.first_seen ELSE key_networks.new_at END
      $$`);

    // The keys with anything to look at since \`since\`, across tenants, in (tenant, key) order after a cursor.
    await q.query(`
      CREATE FUNCTION keyward_signal_candidates(since timestamptz, after_tenant uuid, after_key uuid, max_rows integer)
      RETURNS TABLE (tenant_id uuid, key_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT c.tenant_id, c.key_id FROM (
          SELECT u.tenant_id, u.key_id FROM key_usage u WHERE u.hour >= since
          UNION
          SELECT p.tenant_id, p.key_id FROM key_limit_peaks p WHERE p.hour >= since
          UNION
          SELECT n.tenant_id, n.key_id FROM key_networks n WHERE n.new_at >= since
        ) c
         WHERE after_tenant IS NULL OR (c.tenant_id, c.key_id) > (after_tenant, after_key)
         ORDER BY c.tenant_id, c.key_id
         LIMIT max_rows
      $$`);

    // What the signals no longer need: state and peaks of past hours, networks unseen for 30 days.
    await q.query(`
      CREATE FUNCTION keyward_prune_signal_facts(before timestamptz, batch integer)
      RETURNS bigint LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        removed bigint := 0;
        n bigint;
      BEGIN
        DELETE FROM signal_state WHERE ctid = ANY (ARRAY(SELECT ctid FROM signal_state WHERE hour < before LIMIT batch));
        GET DIAGNOSTICS n = ROW_COUNT; removed := removed + n;
        DELETE FROM key_limit_peaks WHERE ctid = ANY (ARRAY(SELECT ctid FROM key_limit_peaks WHERE hour < before LIMIT batch));
        GET DIAGNOSTICS n = ROW_COUNT; removed := removed + n;
        DELETE FROM key_networks WHERE ctid = ANY (ARRAY(
          SELECT ctid FROM key_networks WHERE last_seen < now() - interval '30 days' LIMIT batch));
        GET DIAGNOSTICS n = ROW_COUNT; removed := removed + n;
        RETURN removed;
      END
      $$`);

    for (const fn of [
      'keyward_record_signal_facts(uuid[], timestamptz[], text[], text[], smallint[], uuid[], text[], timestamptz[])',
      'keyward_signal_candidates(timestamptz, uuid, uuid, integer)',
      'keyward_prune_signal_facts(timestamptz, integer)',
    ]) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO keyward_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS keyward_prune_signal_facts(timestamptz, integer)`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_signal_candidates(timestamptz, uuid, uuid, integer)`);
    await q.query(
      `DROP FUNCTION IF EXISTS keyward_record_signal_facts(uuid[], timestamptz[], text[], text[], smallint[], uuid[], text[], timestamptz[])`,
    );
    await q.query(`DROP TABLE IF EXISTS signal_state`);
    await q.query(`DROP TABLE IF EXISTS key_networks`);
    await q.query(`DROP TABLE IF EXISTS key_limit_peaks`);
    for (const table of ['api_keys', 'owners']) await q.query(`DROP TRIGGER IF EXISTS ${table}_credits_max ON ${table}`);
    await q.query(`DROP FUNCTION IF EXISTS keyward_keep_credits_max()`);
    await q.query(`ALTER TABLE owners DROP COLUMN IF EXISTS credits_max`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN IF EXISTS credits_max`);
    await q.query(`
      ALTER TABLE tenant_policies
        DROP COLUMN IF EXISTS credits_low_percent, DROP COLUMN IF EXISTS limit_near_percent, DROP COLUMN IF EXISTS spike_factor,
        DROP COLUMN IF EXISTS spike_minimum, DROP COLUMN IF EXISTS new_source_signals`);
  }
}
