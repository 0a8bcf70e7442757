// Baseline (d): what a team would hand-roll — a route that hashes the key and looks it up in
// PostgreSQL on every request (no cache, no limits), on a bare node:http server.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { serveInProcesses } from './in-processes';
import { Pool } from 'pg';

const port = Number(process.argv[2]);
const pool = new Pool({ connectionString: process.env.BENCH_OWNER_URL, max: 10 });
const pepper = Buffer.from(process.env.KEYWARD_PEPPER ?? '', 'base64');

serveInProcesses((ready) =>
  createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let key = '';
      try {
        key = String(JSON.parse(Buffer.concat(chunks).toString('utf8')).key ?? '');
      } catch {
        response.writeHead(400).end();
        return;
      }
      const hash = createHmac('sha256', pepper).update(key).digest();
      pool
        .query('SELECT id, owner_id, revoked_at, expires_at, enabled FROM api_keys WHERE key_hash = $1', [hash])
        .then(({ rows }) => {
          const row = rows[0];
          const valid = Boolean(row) && !row.revoked_at && row.enabled && (!row.expires_at || row.expires_at > new Date());
          const body = JSON.stringify(
            row ? { valid, code: valid ? 'VALID' : 'DISABLED', keyId: row.id, ownerId: row.owner_id } : { valid: false, code: 'NOT_FOUND' },
          );
          response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
        })
        .catch(() => response.writeHead(503).end());
    });
  }).listen(port, '127.0.0.1', ready),
);
