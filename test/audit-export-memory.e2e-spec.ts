// docs/auditing.md, Reading and exporting: the export streams every matching event with memory flat however many match.
// Measured on a real admin API process of its own (spawn-app), so the figure is the server's alone.
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { createTenant } from './support/builders';
import { sql, useOwnDatabase } from './support/database';
import { spawnApp, stopSpawnedApps, type SpawnedApp } from './support/spawn-app';

const EVENTS = 200_000;
const MAX_GROWTH_BYTES = 50 * 1024 * 1024;

function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Downloads the export, counting lines, while sampling the server's RSS; returns lines and peak RSS. */
function exportWhileSampling(admin: SpawnedApp, token: string): Promise<{ status: number; lines: number; bytes: number; peak: number }> {
  let peak = rssOf(admin.pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(admin.pid))), 10);
  return new Promise((resolve, reject) => {
    let lines = 0;
    let bytes = 0;
    const request = get(
      `${admin.url}/v1/audit-events/export?format=ndjson`,
      { headers: { authorization: `Bearer ${token}` } },
      (response) => {
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
        });
        response.on('end', () => {
          clearInterval(sampler);
          resolve({ status: response.statusCode ?? 0, lines, bytes, peak: Math.max(peak, rssOf(admin.pid)) });
        });
        response.on('error', reject);
      },
    );
    request.on('error', (error) => {
      clearInterval(sampler);
      reject(error);
    });
  });
}

describe('audit export memory', () => {
  let admin: SpawnedApp;
  let leaveOwnDatabase: () => Promise<void>;
  beforeAll(async () => {
    // 200,000 events would slow every suite that reads whole tables: they go to a database of their own.
    leaveOwnDatabase = await useOwnDatabase();
    admin = await spawnApp({ app: 'admin-api' });
  }, 60_000);
  afterAll(async () => {
    await stopSpawnedApps();
    await leaveOwnDatabase();
  });

  it(`streams ${EVENTS} events while the server process grows by less than 50 MB`, async () => {
    const tenant = await createTenant(admin.url);
    // A small export first, so the baseline includes what any export loads once (code paths, pools).
    await exportWhileSampling(admin, tenant.auditor);
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

    const before = rssOf(admin.pid);
    const result = await exportWhileSampling(admin, tenant.auditor);
    const growth = result.peak - before;
    expect(result.status).toBe(200);
    expect(result.lines).toBe(EVENTS + 4);
    // The figures are in the message should the growth be too large.
    const figures = `${result.lines} events, ${(result.bytes / 1e6).toFixed(1)} MB streamed, server RSS growth ${(growth / 1e6).toFixed(1)} MB`;
    expect({ figures, growthUnderLimit: growth < MAX_GROWTH_BYTES }).toEqual({ figures, growthUnderLimit: true });
  }, 120_000);
});
