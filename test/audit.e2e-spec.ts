import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { createCredential, createTenant, type TestTenant } from './support/builders';
import { sql } from './support/database';
import { client } from './support/http-client';
import { startAdminApi, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

/** Re-checks an NDJSON export the way an auditor would, with an RFC 8785 library, not our code. */
function recheckExport(ndjson: string): { valid: boolean; count: number; brokenAtSeq?: number } {
  const events = ndjson
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  let prevHash = '0'.repeat(64);
  for (const [index, event] of events.entries()) {
    const { prevHash: claimedPrev, hash, ...body } = event;
    const recomputed = createHash('sha256')
      .update(`${prevHash}\n${canonicalize(body)}`)
      .digest('hex');
    if (event.seq !== index + 1 || claimedPrev !== prevHash || recomputed !== hash)
      return { valid: false, count: index, brokenAtSeq: index + 1 };
    prevHash = hash;
  }
  return { valid: true, count: events.length };
}

async function exportText(url: string, token: string, query: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${url}/v1/audit-events/export${query}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('audit log', () => {
  let admin: RunningHttpApp;
  beforeAll(async () => {
    admin = await startAdminApi();
  });
  afterAll(() => admin.close());

  it('starts each tenant chain with tenant.created by the platform operator, then its credentials', async () => {
    const tenant = await createTenant(admin.url);
    const list = await client(admin.url, tenant.auditor).get('/v1/audit-events');
    expect(list.status).toBe(200);
    const [first, ...rest] = list.body.data;
    expect(first).toMatchObject({
      seq: 1,
      action: 'tenant.created',
      actor: { type: 'platform', id: 'platform' },
      target: { type: 'tenant', id: tenant.id },
      prevHash: '0'.repeat(64),
      ip: '127.0.0.1',
      details: { name: tenant.name },
    });
    expect(rest.map((event: any) => event.action)).toEqual(['credential.created', 'credential.created', 'credential.created']);
    expect(rest.map((event: any) => event.details.role)).toEqual(['admin', 'auditor', 'verifier']);
    expect(rest.map((event: any) => event.seq)).toEqual([2, 3, 4]);
  });

  it('records the actor, request id and address of each change, and no secret', async () => {
    const tenant = await createTenant(admin.url);
    const created = await client(admin.url, tenant.admin).post(
      '/v1/credentials',
      { name: 'ci', role: 'verifier' },
      { headers: { 'x-request-id': 'req-audit-1' } },
    );
    expect(created.status).toBe(201);
    const admins = await client(admin.url, tenant.admin).get('/v1/credentials');
    const adminCredential = admins.body.data.find((credential: any) => credential.role === 'admin');
    const events = await client(admin.url, tenant.admin).get('/v1/audit-events?action=credential.created&actorId=' + adminCredential.id);
    expect(events.body.data).toHaveLength(1);
    expect(events.body.data[0]).toMatchObject({
      actor: { type: 'credential', id: adminCredential.id },
      target: { type: 'credential', id: created.body.id },
      requestId: 'req-audit-1',
      details: { name: 'ci', role: 'verifier', expiresAt: null },
    });
    expect(JSON.stringify(events.body)).not.toContain(created.body.token);
  });

  it('records suspend, resume and revoke once each, even when repeated', async () => {
    const tenant = await createTenant(admin.url);
    const platform = client(admin.url, TEST_PLATFORM_TOKEN);
    await platform.post(`/v1/tenants/${tenant.id}/suspend`);
    await platform.post(`/v1/tenants/${tenant.id}/suspend`);
    await platform.post(`/v1/tenants/${tenant.id}/resume`);
    await platform.post(`/v1/tenants/${tenant.id}/resume`);
    const victim = await createCredential(admin.url, tenant.id, 'auditor');
    await client(admin.url, tenant.admin).delete(`/v1/credentials/${victim.id}`);
    await client(admin.url, tenant.admin).delete(`/v1/credentials/${victim.id}`);
    const events = await client(admin.url, tenant.auditor).get('/v1/audit-events');
    const actions = events.body.data.map((event: any) => event.action);
    expect(actions.filter((action: string) => action === 'tenant.suspended')).toHaveLength(1);
    expect(actions.filter((action: string) => action === 'tenant.resumed')).toHaveLength(1);
    expect(actions.filter((action: string) => action === 'credential.revoked')).toHaveLength(1);
  });

  it('writes no event for a change that did not happen', async () => {
    const tenant = await createTenant(admin.url);
    const before = await client(admin.url, tenant.admin).get('/v1/audit-events/verify');
    const refused = await client(admin.url, tenant.admin).post('/v1/credentials', { name: 'x', role: 'nobody' });
    expect(refused.status).toBe(400);
    const first = await client(admin.url, tenant.admin).post(
      '/v1/credentials',
      { name: 'once', role: 'auditor' },
      { headers: { 'idempotency-key': 'audit-once' } },
    );
    const replay = await client(admin.url, tenant.admin).post(
      '/v1/credentials',
      { name: 'once', role: 'auditor' },
      { headers: { 'idempotency-key': 'audit-once' } },
    );
    expect(replay.body.id).toBe(first.body.id);
    const after = await client(admin.url, tenant.admin).get('/v1/audit-events/verify');
    expect(after.body.count).toBe(before.body.count + 1);
  });

  it('keeps one chain valid and gapless under 50 parallel writers', async () => {
    const tenant = await createTenant(admin.url);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client(admin.url, tenant.admin).post('/v1/credentials', { name: `parallel-${i}`, role: 'auditor' }),
      ),
    );
    expect(answers.every((answer) => answer.status === 201)).toBe(true);
    const verdict = await client(admin.url, tenant.auditor).get('/v1/audit-events/verify');
    expect(verdict.body).toEqual({ valid: true, count: 54, headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const seqs = (await sql<{ seq: string }>('owner', 'SELECT seq FROM audit_events WHERE tenant_id = $1 ORDER BY seq', [tenant.id])).map(
      (row) => Number(row.seq),
    );
    expect(seqs).toEqual(Array.from({ length: 54 }, (_, i) => i + 1));
  });

  it('keeps two tenants written in parallel in two separate valid chains', async () => {
    const [a, b] = await Promise.all([createTenant(admin.url), createTenant(admin.url)]);
    await Promise.all(
      [a, b].flatMap((tenant) =>
        Array.from({ length: 20 }, (_, i) => client(admin.url, tenant.admin).post('/v1/credentials', { name: `p${i}`, role: 'verifier' })),
      ),
    );
    for (const tenant of [a, b]) {
      const verdict = await client(admin.url, tenant.auditor).get('/v1/audit-events/verify');
      expect(verdict.body).toMatchObject({ valid: true, count: 24 });
      const exported = await exportText(admin.url, tenant.auditor, '?format=ndjson');
      expect(recheckExport(exported.text)).toEqual({ valid: true, count: 24 });
    }
  });

  it('exports NDJSON that an auditor re-hashes offline with an RFC 8785 library', async () => {
    const tenant = await createTenant(admin.url);
    await client(admin.url, tenant.admin).post('/v1/credentials', {
      name: 'ünïcode "quoted", comma',
      role: 'auditor',
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    const exported = await exportText(admin.url, tenant.auditor, '?format=ndjson');
    expect(exported.status).toBe(200);
    expect(exported.type).toContain('application/x-ndjson');
    expect(recheckExport(exported.text)).toEqual({ valid: true, count: 5 });
    const head = await client(admin.url, tenant.auditor).get('/v1/audit-events/verify');
    const lines = exported.text.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]).hash).toBe(head.body.headHash);
  });

  it('exports each event exactly as the list answers it', async () => {
    const tenant = await createTenant(admin.url);
    await client(admin.url, tenant.admin).post('/v1/credentials', { name: 'back\\slash "quote" \u00e9 \u2028', role: 'auditor' });
    const listed = (await client(admin.url, tenant.auditor).get('/v1/audit-events')).body.data;
    const exported = (await exportText(admin.url, tenant.auditor, '?format=ndjson')).text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(exported).toEqual(listed);
  });

  it('exports CSV with a header and one row per event', async () => {
    const tenant = await createTenant(admin.url);
    await client(admin.url, tenant.admin).post('/v1/credentials', { name: 'has, a comma', role: 'auditor' });
    const exported = await exportText(admin.url, tenant.admin, '?format=csv');
    expect(exported.status).toBe(200);
    expect(exported.type).toContain('text/csv');
    const rows = exported.text.split(/\r?\n/).filter(Boolean);
    expect(rows[0]).toBe('id,seq,occurredAt,actorType,actorId,action,targetType,targetId,requestId,ip,details,prevHash,hash');
    expect(rows).toHaveLength(1 + 5);
    expect(rows[5]).toMatch(
      /^[0-9a-f-]{36},5,\S+Z,credential,[0-9a-f-]{36},credential\.created,credential,[0-9a-f-]{36},\S+,127\.0\.0\.1,"\{.*has, a comma.*\}",[0-9a-f]{64},[0-9a-f]{64}$/,
    );
  });

  it('filters the export by time', async () => {
    const tenant = await createTenant(admin.url);
    const events = (await client(admin.url, tenant.auditor).get('/v1/audit-events')).body.data;
    const exported = await exportText(admin.url, tenant.auditor, `?format=ndjson&from=${encodeURIComponent(events[1].occurredAt)}`);
    const exportedSeqs = exported.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).seq);
    expect(exportedSeqs[0]).toBeGreaterThan(1);
    const bad = await client(admin.url, tenant.auditor).get('/v1/audit-events/export?format=xml');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('format');
  });

  it('reports the seq of an event changed behind its back', async () => {
    const tenant = await createTenant(admin.url);
    // A superuser can switch the trigger off; the chain still gives the forgery away.
    await sql('owner', 'ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    try {
      await sql('owner', `UPDATE audit_events SET details = '{"name":"forged"}' WHERE tenant_id = $1 AND seq = 3`, [tenant.id]);
    } finally {
      await sql('owner', 'ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    }
    const verdict = await client(admin.url, tenant.auditor).get('/v1/audit-events/verify');
    expect(verdict.body).toEqual({ valid: false, brokenAtSeq: 3 });
    const exported = await exportText(admin.url, tenant.auditor, '?format=ndjson');
    expect(recheckExport(exported.text)).toMatchObject({ valid: false, brokenAtSeq: 3 });
  });

  it.each([
    ['UPDATE', `UPDATE audit_events SET action = 'tenant.suspended' WHERE tenant_id = $1`],
    ['DELETE', `DELETE FROM audit_events WHERE tenant_id = $1`],
  ])('refuses a plain %s, even by a superuser', async (_operation, statement) => {
    const tenant = await createTenant(admin.url);
    await expect(sql('owner', statement, [tenant.id])).rejects.toThrow(/append-only/);
    await expect(sql('app', statement, [tenant.id])).rejects.toThrow(/permission denied|append-only/);
    const count = await sql('owner', 'SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1', [tenant.id]);
    expect(count[0].n).toBe(4);
  });

  it('refuses TRUNCATE', async () => {
    await expect(sql('owner', 'TRUNCATE audit_events')).rejects.toThrow(/append-only/);
  });

  it('lets auditors and admins read and export, and nobody write through the API', async () => {
    const tenant = await createTenant(admin.url);
    for (const token of [tenant.admin, tenant.auditor]) {
      expect((await client(admin.url, token).get('/v1/audit-events')).status).toBe(200);
      expect((await exportText(admin.url, token, '?format=csv')).status).toBe(200);
      expect((await client(admin.url, token).get('/v1/audit-events/verify')).status).toBe(200);
      expect([404, 405]).toContain((await client(admin.url, token).post('/v1/audit-events', { action: 'tenant.created' })).status);
    }
    expect((await client(admin.url, tenant.verifier).get('/v1/audit-events')).status).toBe(403);
    expect((await client(admin.url, TEST_PLATFORM_TOKEN).get('/v1/audit-events')).status).toBe(403);
  });

  it('shows a tenant none of another tenant’s events', async () => {
    const [a, b] = await Promise.all([createTenant(admin.url), createTenant(admin.url)]);
    const bEvents = (await client(admin.url, b.auditor).get('/v1/audit-events')).body.data;
    const aView = await client(admin.url, a.auditor).get('/v1/audit-events?limit=100');
    const aIds = new Set(aView.body.data.map((event: any) => event.id));
    expect(bEvents.some((event: any) => aIds.has(event.id))).toBe(false);
    expect(aView.body.data.every((event: any) => event.target.id !== b.id)).toBe(true);
    const bActor = bEvents.find((event: any) => event.actor.type === 'credential');
    const filtered = await client(admin.url, a.auditor).get(`/v1/audit-events?actorId=${bActor?.actor.id ?? 'none'}`);
    expect(filtered.body.data).toEqual([]);
    const exported = await exportText(admin.url, a.auditor, '?format=ndjson');
    expect(exported.text).not.toContain(b.id);
  });

  it('pages through events with a cursor and validates its filters', async () => {
    const tenant: TestTenant = await createTenant(admin.url);
    const auditor = client(admin.url, tenant.auditor);
    const first = await auditor.get('/v1/audit-events?limit=3');
    expect(first.body.data.map((event: any) => event.seq)).toEqual([1, 2, 3]);
    const second = await auditor.get(`/v1/audit-events?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.data.map((event: any) => event.seq)).toEqual([4]);
    expect(second.body.nextCursor).toBeNull();
    for (const [query, field] of [
      ['from=yesterday', 'from'],
      ['keyId=not-a-uuid', 'keyId'],
      ['cursor=garbage', 'cursor'],
      ['action=DROP%20TABLE', 'action'],
    ]) {
      const answer = await auditor.get(`/v1/audit-events?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body.errors.map((error: any) => error.field)).toContain(field);
    }
  });
});
