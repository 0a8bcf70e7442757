import { get } from 'node:http';
import { createTenant } from './support/builders';
import { sql, useOwnDatabase } from './support/database';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';

const EVENTS = 200_000;
const MAX_GROWTH_BYTES = 50 * 1024 * 1024;

describe('audit export memory', () => {
  let admin: RunningHttpApp;
  let leaveOwnDatabase: () => Promise<void>;
  beforeAll(async () => {
    // 200,000 events would slow every suite that reads whole tables: they go to a database of their own.
    leaveOwnDatabase = await useOwnDatabase();
    admin = await startAdminApi();
  });
  afterAll(async () => {
    await admin.close();
    await leaveOwnDatabase();
  });

  it(`streams ${EVENTS} events while the process grows by less than 50 MB`, async () => {
    const tenant = await createTenant(admin.url);
    // Bulk events straight into the table (their hashes are not checked by an export), then the
    // chain head moved past them so the export includes them all.
    await sql(
      'owner',
      `INSERT INTO audit_events (id, tenant_id, seq, occurred_at, actor_type, actor_id, action, target_type, target_id,
                                 request_id, ip, details, prev_hash, hash)
       SELECT gen_random_uuid(), $1, 4 + n, now(), 'credential', 'bulk-actor', 'credential.created', 'credential',
              gen_random_uuid()::text, 'req-' || n, '127.0.0.1', jsonb_build_object('name', 'bulk credential ' || n, 'role', 'auditor'),
              repeat('a', 64), repeat('b', 64)
         FROM generate_series(1, $2) AS n`,
      [tenant.id, EVENTS],
    );
    await sql('owner', 'UPDATE audit_chain_heads SET seq = $2 WHERE tenant_id = $1', [tenant.id, EVENTS + 4]);

    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    let lines = 0;
    let bytes = 0;
    try {
      // node:http rather than fetch: the client shares this process, and should add as little as possible.
      const status = await new Promise<number>((resolve, reject) => {
        const request = get(`${admin.url}/v1/audit-events/export?format=ndjson`, { headers: { authorization: `Bearer ${tenant.auditor}` } }, (response) => {
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
          });
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', reject);
        });
        request.on('error', reject);
      });
      expect(status).toBe(200);
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - before;
    process.stdout.write(`audit export: ${lines} events, ${(bytes / 1e6).toFixed(1)} MB streamed, RSS growth ${(growth / 1e6).toFixed(1)} MB\n`);
    expect(lines).toBe(EVENTS + 4);
    expect(growth).toBeLessThan(MAX_GROWTH_BYTES);
  }, 120_000);
});
