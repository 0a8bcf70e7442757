// docs/auditing.md, Checkpoints: signed heads of the audit chains, the keys that sign them, the
// hourly checkpoints the worker keeps, and the proof (online and offline) that a chain still extends
// a checkpoint taken before, even after a superuser rewrote history and recomputed every hash.
import { RecordAuditCheckpointsUseCase } from '@keyward/audit';
import { HOUSEKEEPING_QUEUE } from '@keyward/jobs';
import { SecretBox } from '@keyward/platform';
import { SigningKeyRing } from '@keyward/signing';
import canonicalize from 'canonicalize';
import type { Job } from 'bullmq';
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { HousekeepingProcessor } from '../apps/worker/src/housekeeping.processor';
import { AUDIT_CHECKPOINT, SIGNING_KEY_ROTATION, workerSchedules } from '../apps/worker/src/schedule-keeper';
import { createTenant, type TestTenant } from './support/builders';
import { sql, useOwnDatabase } from './support/database';
import { client } from './support/http-client';
import { firstScheduledRunsDone, onDemandJobsEnv } from './support/jobs';
import { startAdminApi, startWorker, type RunningHttpApp } from './support/running-apps';
import { TEST_ENCRYPTION_KEY, TEST_PLATFORM_TOKEN, testConfig } from './support/test-config';

const ROOT = resolve(__dirname, '..');

interface Checkpoint {
  tenantId: string;
  seq: number;
  headHash: string;
  issuedAt: string;
  keyId: string;
  signature: string;
}

/** Every chunk a service logs. */
class LogText extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/**
 * Checks a checkpoint's signature with WebCrypto and the JWKS the API publishes: another API
 * than node:crypto's sign() that made it, fed only the public JWK and RFC 8785 bytes made here.
 */
async function signatureVerifies(checkpoint: Checkpoint, jwks: { keys: Array<Record<string, string>> }): Promise<boolean> {
  const jwk = jwks.keys.find((key) => key.kid === checkpoint.keyId);
  if (!jwk) return false;
  const key = await webcrypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['verify']);
  const { signature, ...signed } = checkpoint;
  return webcrypto.subtle.verify({ name: 'Ed25519' }, key, Buffer.from(signature, 'base64url'), Buffer.from(canonicalize(signed)!, 'utf8'));
}

/** Runs the offline script as an auditor would, on files. */
function runOfflineCheck(files: { ndjson: string; checkpoint: Checkpoint; jwks: unknown }): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-offline-'));
  const paths = ['export.ndjson', 'checkpoint.json', 'jwks.json'].map((name) => join(dir, name));
  writeFileSync(paths[0], files.ndjson);
  writeFileSync(paths[1], JSON.stringify(files.checkpoint));
  writeFileSync(paths[2], JSON.stringify(files.jwks));
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['-r', './test/support/ts-register.js', 'scripts/verify-audit-export.ts', ...paths],
      { cwd: ROOT },
      (error, stdout, stderr) => {
        rmSync(dir, { recursive: true, force: true });
        done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
      },
    );
  });
}

async function exportNdjson(url: string, token: string): Promise<string> {
  const response = await fetch(`${url}/v1/audit-events/export?format=ndjson`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return response.text();
}

/**
 * What a superuser can do: switch the append-only trigger off, change event `seq`'s details, and
 * recompute every later hash and the head so that the chain verifies again.
 */
async function rewriteHistory(tenantId: string, ndjson: string, seq: number): Promise<void> {
  const events = ndjson
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  events[seq - 1].details = { ...events[seq - 1].details, name: 'rewritten' };
  for (let i = seq - 1; i < events.length; i++) {
    const { prevHash: _prevHash, hash: _hash, ...body } = events[i];
    events[i].prevHash = i === 0 ? '0'.repeat(64) : events[i - 1].hash;
    events[i].hash = createHash('sha256')
      .update(`${events[i].prevHash}\n${canonicalize(body)}`)
      .digest('hex');
  }
  await sql('owner', 'ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
  try {
    for (const event of events.slice(seq - 1)) {
      await sql('owner', 'UPDATE audit_events SET details = $3, prev_hash = $4, hash = $5 WHERE tenant_id = $1 AND seq = $2', [
        tenantId,
        event.seq,
        JSON.stringify(event.details),
        event.prevHash,
        event.hash,
      ]);
    }
    await sql('owner', 'UPDATE audit_chain_heads SET hash = $2 WHERE tenant_id = $1', [tenantId, events[events.length - 1].hash]);
  } finally {
    await sql('owner', 'ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
  }
}

describe('audit checkpoints', () => {
  const logs = new LogText();
  let dropOwnDatabase: () => Promise<void>;
  let admin: RunningHttpApp;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let a: TestTenant;
  let b: TestTenant;

  const runHousekeeping = (name: string) => worker.app.get(HousekeepingProcessor).process({ name } as Job);
  const checkpointOf = async (tenant: TestTenant): Promise<Checkpoint> => {
    const answer = await client(admin.url, tenant.auditor).get('/v1/audit-events/checkpoint');
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const jwks = async (tenant: TestTenant) => (await client(admin.url, tenant.auditor).get('/v1/audit-events/keys')).body;
  const refusedOnMetrics = async (): Promise<number> => {
    const text = await (await fetch(`${worker.url}/metrics`)).text();
    return Number(/^keyward_audit_checkpoints_total\{[^}]*outcome="refused"[^}]*\} (\d+)$/m.exec(text)![1]);
  };
  const keptOf = async (tenantId: string) =>
    sql<{ seq: string }>('owner', 'SELECT seq FROM audit_checkpoints WHERE tenant_id = $1 ORDER BY seq', [tenantId]);

  beforeAll(async () => {
    // Its own database: the hourly job's count covers every tenant there, and the trigger switched
    // off by the rewrite is switched off for no other suite.
    dropOwnDatabase = await useOwnDatabase();
    const env = { ...onDemandJobsEnv('checkpoints'), LOG_LEVEL: 'debug' };
    admin = await startAdminApi({ env, logDestination: logs });
    worker = await startWorker({ env, logDestination: logs });
    await firstScheduledRunsDone(worker, [HOUSEKEEPING_QUEUE]);
    a = await createTenant(admin.url);
    b = await createTenant(admin.url);
  });
  afterAll(async () => {
    await worker?.close();
    await admin?.close();
    await dropOwnDatabase?.();
  });

  it("signs the chain's head so that the published JWK verifies it with another library", async () => {
    const checkpoint = await checkpointOf(a);
    const verdict = await client(admin.url, a.auditor).get('/v1/audit-events/verify');

    expect(Object.keys(checkpoint).sort()).toEqual(['headHash', 'issuedAt', 'keyId', 'seq', 'signature', 'tenantId']);
    expect(checkpoint).toMatchObject({ tenantId: a.id, seq: verdict.body.count, headHash: verdict.body.headHash });
    expect(new Date(checkpoint.issuedAt).toISOString()).toBe(checkpoint.issuedAt);
    const keySet = await jwks(a);
    expect(keySet.keys).toContainEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: expect.any(String),
      kid: checkpoint.keyId,
      use: 'sig',
      alg: 'EdDSA',
    });
    expect(await signatureVerifies(checkpoint, keySet)).toBe(true);
    // Any change to a signed field breaks it.
    expect(await signatureVerifies({ ...checkpoint, seq: checkpoint.seq + 1 }, keySet)).toBe(false);
    expect(await signatureVerifies({ ...checkpoint, tenantId: b.id }, keySet)).toBe(false);
  });

  it('answers many checkpoint requests at once (more than the connection pool holds)', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => client(admin.url, a.auditor).get('/v1/audit-events/checkpoint')));
    expect(answers.map((answer) => answer.status)).toEqual(Array(40).fill(200));
  });

  it('keeps checkpoints signed before a rotation verifiable, and the daily check rotates only an old key', async () => {
    const before = await checkpointOf(a);
    const rotatedTo = await worker.app.get(SigningKeyRing).rotate('audit');
    const after = await checkpointOf(a);
    // A fresh key: the daily check leaves it.
    expect(await runHousekeeping(SIGNING_KEY_ROTATION)).toEqual({ keyId: rotatedTo });

    expect(after.keyId).toBe(rotatedTo);
    expect(after.keyId).not.toBe(before.keyId);
    const keySet = await jwks(b);
    expect(keySet.keys.map((key: { kid: string }) => key.kid)).toEqual(expect.arrayContaining([before.keyId, after.keyId]));
    expect(await signatureVerifies(before, keySet)).toBe(true);
    expect(await signatureVerifies(after, keySet)).toBe(true);
    const [{ current }] = await sql(
      'owner',
      `SELECT count(*)::int AS current FROM signing_keys WHERE purpose = 'audit' AND retired_at IS NULL`,
    );
    expect(current).toBe(1);
  });

  it('keeps one checkpoint per tenant whose chain moved each run, none for a chain that did not', async () => {
    const c = await createTenant(admin.url);
    const tenants = await sql<{ tenant_id: string; seq: string }>('owner', 'SELECT tenant_id, seq FROM audit_chain_heads');
    expect(tenants.map((row) => row.tenant_id)).toEqual(expect.arrayContaining([a.id, b.id, c.id]));

    const first = await runHousekeeping(AUDIT_CHECKPOINT);
    // The worker's first run at boot found no tenant: every tenant with events is due.
    expect(first).toEqual({ recorded: tenants.length, refused: 0 });
    for (const tenant of tenants) {
      const kept = await sql<Checkpoint & { head_hash: string }>('owner', 'SELECT * FROM audit_checkpoints WHERE tenant_id = $1', [
        tenant.tenant_id,
      ]);
      expect(kept.map((row) => Number(row.seq))).toEqual([Number(tenant.seq)]);
    }

    expect(await runHousekeeping(AUDIT_CHECKPOINT)).toEqual({ recorded: 0, refused: 0 });
    await client(admin.url, c.admin).post('/v1/credentials', { name: 'moves-the-chain', role: 'auditor' });
    expect(await runHousekeeping(AUDIT_CHECKPOINT)).toEqual({ recorded: 1, refused: 0 });
    expect((await keptOf(c.id)).map((row) => Number(row.seq))).toEqual([4, 5]);

    // Listed, signed, and in seq order a page at a time.
    const firstPage = await client(admin.url, c.auditor).get('/v1/audit-events/checkpoints?limit=1');
    expect(firstPage.status).toBe(200);
    expect(firstPage.body.data).toHaveLength(1);
    const secondPage = await client(admin.url, c.auditor).get(`/v1/audit-events/checkpoints?limit=1&cursor=${firstPage.body.nextCursor}`);
    expect(secondPage.body).toEqual({ data: [expect.objectContaining({ seq: 5 })], nextCursor: null });
    const keySet = await jwks(c);
    for (const checkpoint of [...firstPage.body.data, ...secondPage.body.data]) {
      expect(checkpoint.tenantId).toBe(c.id);
      expect(await signatureVerifies(checkpoint, keySet)).toBe(true);
    }
    const verdict = await client(admin.url, c.auditor).get(
      `/v1/audit-events/verify?checkpointSeq=4&checkpointHash=${firstPage.body.data[0].headHash}`,
    );
    expect(verdict.body).toMatchObject({ valid: true, count: 5, extendsCheckpoint: true });
  });

  it("shows each tenant's credential only its own kept checkpoints", async () => {
    await runHousekeeping(AUDIT_CHECKPOINT);
    for (const [own, other] of [
      [a, b],
      [b, a],
    ]) {
      const listed = await client(admin.url, own.admin).get('/v1/audit-events/checkpoints');
      expect(listed.status).toBe(200);
      expect(listed.body.data.length).toBeGreaterThan(0);
      expect(listed.body.data.every((checkpoint: Checkpoint) => checkpoint.tenantId === own.id)).toBe(true);
      expect(JSON.stringify(listed.body)).not.toContain(other.id);
    }
    // And PostgreSQL holds the app role to it: with no tenant set, it sees none.
    const [owner] = await sql<{ count: number }>('owner', 'SELECT count(*)::int AS count FROM audit_checkpoints');
    expect(owner.count).toBeGreaterThan(0);
    expect(await sql('app', 'SELECT tenant_id FROM audit_checkpoints')).toEqual([]);
  });

  it('answers extendsCheckpoint false after a superuser rewrote history and recomputed every hash, and so does the offline script', async () => {
    const tenant = await createTenant(admin.url);
    for (const name of ['one', 'two', 'three']) {
      await client(admin.url, tenant.admin).post('/v1/credentials', { name, role: 'verifier' });
    }
    const checkpoint = await checkpointOf(tenant);
    await runHousekeeping(AUDIT_CHECKPOINT);
    expect((await keptOf(tenant.id)).map((row) => Number(row.seq))).toEqual([checkpoint.seq]);
    const keySet = await jwks(tenant);
    const honest = await exportNdjson(admin.url, tenant.auditor);
    const query = `checkpointSeq=${checkpoint.seq}&checkpointHash=${checkpoint.headHash}`;

    expect((await client(admin.url, tenant.auditor).get(`/v1/audit-events/verify?${query}`)).body).toEqual({
      valid: true,
      count: checkpoint.seq,
      headHash: checkpoint.headHash,
      extendsCheckpoint: true,
    });
    const offlineHonest = await runOfflineCheck({ ndjson: honest, checkpoint, jwks: keySet });
    expect(offlineHonest).toEqual({ code: 0, output: expect.stringContaining('OK: the export extends the signed checkpoint') });

    // Later events, then the rewrite of event 2 with every later hash recomputed.
    await client(admin.url, tenant.admin).post('/v1/credentials', { name: 'later', role: 'verifier' });
    await rewriteHistory(tenant.id, await exportNdjson(admin.url, tenant.auditor), 2);

    const plain = await client(admin.url, tenant.auditor).get('/v1/audit-events/verify');
    expect(plain.body).toEqual({ valid: true, count: checkpoint.seq + 1, headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const checked = await client(admin.url, tenant.auditor).get(`/v1/audit-events/verify?${query}`);
    expect(checked.body).toEqual({ ...plain.body, extendsCheckpoint: false });

    // The hourly run signs no checkpoint of the rewritten chain.
    const refusedBefore = await refusedOnMetrics();
    expect(await runHousekeeping(AUDIT_CHECKPOINT)).toMatchObject({ refused: 1 });
    expect((await keptOf(tenant.id)).map((row) => Number(row.seq))).toEqual([checkpoint.seq]);
    expect(await refusedOnMetrics()).toBe(refusedBefore + 1);

    const rewritten = await exportNdjson(admin.url, tenant.auditor);
    const offline = await runOfflineCheck({ ndjson: rewritten, checkpoint, jwks: keySet });
    expect(offline.code).toBe(1);
    expect(offline.output).toContain('signature:  valid');
    expect(offline.output).toContain(`chain:      valid, ${checkpoint.seq + 1} events`);
    expect(offline.output).toContain(`extends:    NO, the export's event ${checkpoint.seq} has hash`);
    expect(offline.output).toContain('FAILED');

    // A forged checkpoint (its hash swapped for the rewritten head's) fails on its signature.
    const forged = { ...checkpoint, headHash: JSON.parse(rewritten.trim().split('\n')[checkpoint.seq - 1]).hash };
    const forgedCheck = await runOfflineCheck({ ndjson: rewritten, checkpoint: forged, jwks: keySet });
    expect(forgedCheck.code).toBe(1);
    expect(forgedCheck.output).toContain('signature:  INVALID');
  });

  it.each([
    ['checkpointSeq=3', 'checkpointHash'],
    [`checkpointHash=${'a'.repeat(64)}`, 'checkpointSeq'],
    [`checkpointSeq=-1&checkpointHash=${'a'.repeat(64)}`, 'checkpointSeq'],
    [`checkpointSeq=x&checkpointHash=${'a'.repeat(64)}`, 'checkpointSeq'],
    [`checkpointSeq=1.5&checkpointHash=${'a'.repeat(64)}`, 'checkpointSeq'],
    [`checkpointSeq=3&checkpointHash=${'A'.repeat(64)}`, 'checkpointHash'],
    ['checkpointSeq=3&checkpointHash=abc', 'checkpointHash'],
  ])('refuses verify?%s with 400 naming %s', async (query, field) => {
    const answer = await client(admin.url, a.auditor).get(`/v1/audit-events/verify?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['tenantId=x', 'tenantId'],
  ])('refuses checkpoints?%s with 400 naming %s', async (query, field) => {
    const answer = await client(admin.url, a.auditor).get(`/v1/audit-events/checkpoints?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
  });

  it.each(['/v1/audit-events/checkpoint', '/v1/audit-events/checkpoints', '/v1/audit-events/keys'])(
    'answers GET %s to tenant admins and auditors only',
    async (path) => {
      for (const token of [a.admin, a.auditor]) expect((await client(admin.url, token).get(path)).status).toBe(200);
      expect((await client(admin.url, a.verifier).get(path)).status).toBe(403);
      expect((await client(admin.url, TEST_PLATFORM_TOKEN).get(path)).status).toBe(403);
      expect((await client(admin.url).get(path)).status).toBe(401);
    },
  );

  it('keeps checkpoints append-only, even for the owner', async () => {
    await expect(sql('owner', `UPDATE audit_checkpoints SET head_hash = repeat('0', 64)`)).rejects.toMatchObject({ code: '42501' });
    await expect(sql('owner', 'DELETE FROM audit_checkpoints')).rejects.toMatchObject({ code: '42501' });
    await expect(sql('owner', 'TRUNCATE audit_checkpoints')).rejects.toMatchObject({ code: '42501' });
  });

  it('stores private keys only sealed, gives the app role no access to them, and shows them in no answer or log line', async () => {
    const keys = await sql<{ kid: string; purpose: string; public_key: Buffer; sealed_private_key: Buffer }>(
      'owner',
      'SELECT kid, purpose, public_key, sealed_private_key FROM signing_keys',
    );
    expect(keys.length).toBeGreaterThanOrEqual(2);
    const box = new SecretBox(Buffer.from(TEST_ENCRYPTION_KEY, 'base64'));
    const answers = JSON.stringify([
      await checkpointOf(a),
      await jwks(a),
      (await client(admin.url, a.auditor).get('/v1/audit-events/checkpoints')).body,
    ]);
    for (const key of keys) {
      // Sealed with the deployment's key: opened, it is the private half of the stored public key.
      const der = box.open(key.sealed_private_key, `signing-key:${key.purpose}:${key.kid}`);
      const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      expect(createPublicKey(privateKey).export({ format: 'jwk' }).x).toBe(key.public_key.toString('base64url'));
      const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
      const forms = [seed.toString('hex'), seed.toString('base64'), seed.toString('base64url'), der.toString('base64')];
      const stored = (await sql<{ row: string }>('owner', 'SELECT t::text AS row FROM signing_keys t')).map((row) => row.row).join('\n');
      expect(key.sealed_private_key.includes(seed)).toBe(false);
      for (const form of forms) {
        expect(stored).not.toContain(form);
        expect(answers).not.toContain(form);
        expect(logs.text).not.toContain(form);
      }
    }
    expect(logs.text.length).toBeGreaterThan(0);
    expect(answers).not.toMatch(/"d":/);
    await expect(sql('app', 'SELECT * FROM signing_keys')).rejects.toMatchObject({ code: '42501' });
  });

  it('schedules the checkpoints hourly and the rotation check daily', () => {
    const schedules = workerSchedules(testConfig());
    expect(schedules.find((schedule) => schedule.id === AUDIT_CHECKPOINT)).toMatchObject({
      queue: HOUSEKEEPING_QUEUE,
      everyMs: 60 * 60 * 1000,
    });
    expect(schedules.find((schedule) => schedule.id === SIGNING_KEY_ROTATION)).toMatchObject({
      queue: HOUSEKEEPING_QUEUE,
      everyMs: 24 * 60 * 60 * 1000,
    });
    expect(worker.app.get(RecordAuditCheckpointsUseCase)).toBeDefined();
  });
});
