// Signed principals (docs/gateways.md, Signed principals) on the real services: the Keyward-Principal
// JWS of VALID forward-auth and /v1/verify answers, checked with WebCrypto against the JWKS the
// verify service publishes (node:crypto's sign() made it); nothing without KEYWARD_PRINCIPAL_SIGNING;
// a rotation (by the platform operator, or by the worker's schedule) while tokens of the old key are
// still valid; and the SDK's verifyPrincipal.
import { HOUSEKEEPING_QUEUE } from '@keyward/jobs';
import { PRINCIPAL_KEY_PUBLISHED_AFTER_REPLACEMENT_SECONDS } from '@keyward/signing';
import type { Job } from 'bullmq';
import { generateKeyPairSync, randomUUID, sign, webcrypto } from 'node:crypto';
import { HousekeepingProcessor } from '../apps/worker/src/housekeeping.processor';
import { PRINCIPAL_KEY_ROTATION } from '../apps/worker/src/schedule-keeper';
import { KeywardPrincipalError, KeywardPrincipalVerifier, KeywardVerifier } from '../packages/sdk/src';
import { createTenant, type TestTenant } from './support/builders';
import { sql, useOwnDatabase } from './support/database';
import { rawRequest } from './support/gateways';
import { client } from './support/http-client';
import { firstScheduledRunsDone, onDemandJobsEnv } from './support/jobs';
import { createKey } from './support/key-builders';
import { startAdminApi, startVerify, startWorker, type RunningHttpApp } from './support/running-apps';
import { TEST_PLATFORM_TOKEN } from './support/test-config';

interface Jwk {
  kty: string;
  crv: string;
  x: string;
  kid: string;
  use: string;
  alg: string;
}

const ISSUER = 'keyward-principals-test';

function partsOf(token: string): { header: Record<string, unknown>; claims: Record<string, any> } {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
  };
}

/** Checks a compact JWS with WebCrypto and a JWK of `jwks`: another API than the node:crypto sign() that made it. */
async function signatureVerifies(token: string, jwks: { keys: Jwk[] }): Promise<boolean> {
  const [header, payload, signature] = token.split('.');
  const jwk = jwks.keys.find((key) => key.kid === partsOf(token).header.kid);
  if (!jwk) return false;
  const key = await webcrypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['verify']);
  return webcrypto.subtle.verify(
    { name: 'Ed25519' },
    key,
    Buffer.from(signature, 'base64url'),
    Buffer.from(`${header}.${payload}`, 'ascii'),
  );
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, withinMs: number): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('signed principals', () => {
  let dropOwnDatabase: () => Promise<void>;
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let unsigned: RunningHttpApp;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let tenant: TestTenant;
  const verifiers: KeywardVerifier[] = [];

  const jwksOf = async (service: RunningHttpApp = verify): Promise<{ keys: Jwk[] }> => {
    const answer = await client(service.url).get('/.well-known/jwks.json');
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const forwardAuth = (service: RunningHttpApp, key: string, query = '') =>
    rawRequest(service.url, 'GET', `/v1/forward-auth${query}`, { 'keyward-verifier': tenant.verifier, authorization: `Bearer ${key}` });
  const principalOf = async (key: string): Promise<string> => {
    const answer = await forwardAuth(verify, key);
    expect(answer.status).toBe(200);
    return answer.headers['keyward-principal'];
  };
  const rotate = (token: string | undefined) => client(admin.url, token).post('/v1/signing-keys/principal/rotate');
  const currentKid = async () =>
    (await sql<{ kid: string }>('owner', `SELECT kid FROM signing_keys WHERE purpose = 'principal' AND retired_at IS NULL`))[0]?.kid;

  beforeAll(async () => {
    // Its own database: these tests rotate the deployment's principal key.
    dropOwnDatabase = await useOwnDatabase();
    const env = onDemandJobsEnv('principals');
    admin = await startAdminApi({ env });
    [verify, unsigned, worker] = await Promise.all([
      startVerify({ env: { ...env, KEYWARD_PRINCIPAL_SIGNING: '1', KEYWARD_PRINCIPAL_ISSUER: ISSUER } }),
      startVerify({ env }),
      startWorker({ env }),
    ]);
    await firstScheduledRunsDone(worker, [HOUSEKEEPING_QUEUE]);
    tenant = await createTenant(admin.url);
  });
  afterAll(async () => {
    await Promise.all(verifiers.map((verifier) => verifier.close()));
    await Promise.all([admin?.close(), verify?.close(), unsigned?.close(), worker?.close()]);
    await dropOwnDatabase?.();
  });

  it('signs a VALID forward-auth answer: EdDSA with the kid of the JWKS, the key’s claims, exp = iat + 60, checked with WebCrypto', async () => {
    expect((await client(admin.url, tenant.admin).put('/v1/roles/support', { scopes: ['tickets:read'] })).status).toBe(200);
    const { id, key } = await createKey(admin.url, tenant.admin, { ownerId: 'cust-7', scopes: ['orders:read'], roles: ['support'] });
    const before = Math.floor(Date.now() / 1000);
    const token = await principalOf(key);
    const after = Math.floor(Date.now() / 1000);

    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const { header, claims } = partsOf(token);
    const jwks = await jwksOf();
    expect(header).toEqual({ alg: 'EdDSA', kid: await currentKid(), typ: 'JWT' });
    expect(jwks.keys).toContainEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: header.kid, use: 'sig', alg: 'EdDSA' });
    expect(await signatureVerifies(token, jwks)).toBe(true);
    expect(Object.keys(claims)).toEqual(['iss', 'sub', 'tid', 'own', 'scp', 'rol', 'iat', 'exp', 'jti']);
    expect(claims).toEqual({
      iss: ISSUER,
      sub: id,
      tid: tenant.id,
      own: 'cust-7',
      scp: ['orders:read', 'tickets:read'],
      rol: ['support'],
      iat: expect.any(Number),
      exp: claims.iat + 60,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(after);
    // Each token is its own, and any change to what was signed breaks it.
    const again = await principalOf(key);
    expect(partsOf(again).claims.jti).not.toBe(claims.jti);
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, scp: ['admin:*'] })).toString('base64url');
    expect(await signatureVerifies(`${h}.${forged}.${s}`, jwks)).toBe(false);
  });

  it('leaves out own and rol for a key without owner or roles, and signs no refusal', async () => {
    const { key } = await createKey(admin.url, tenant.admin, { scopes: ['orders:read'] });
    expect(Object.keys(partsOf(await principalOf(key)).claims)).toEqual(['iss', 'sub', 'tid', 'scp', 'iat', 'exp', 'jti']);
    const refused = await forwardAuth(verify, key, '?scopes=billing:write');
    expect({ status: refused.status, principal: refused.headers['keyward-principal'] }).toEqual({ status: 403, principal: undefined });
  });

  it('adds the principal to a VALID /v1/verify answer that asks for it, in the header and the JSON, and to no other', async () => {
    const { id, key } = await createKey(admin.url, tenant.admin, { scopes: ['orders:read'] });
    const api = client(verify.url, tenant.verifier);
    const asked = await api.post('/v1/verify', { key, principal: true });
    expect(asked.body).toMatchObject({ code: 'VALID', principal: asked.headers.get('keyward-principal') });
    expect(await signatureVerifies(asked.body.principal, await jwksOf())).toBe(true);
    expect(partsOf(asked.body.principal).claims.sub).toBe(id);

    for (const body of [{ key }, { key, principal: false }, { key, principal: true, scopes: ['billing:write'] }]) {
      const answer = await api.post('/v1/verify', body);
      expect({ body, principal: answer.body.principal, header: answer.headers.get('keyward-principal') }).toEqual({
        body,
        principal: undefined,
        header: null,
      });
    }
    const bad = await api.post('/v1/verify', { key, principal: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field)).toEqual(['principal']);
  });

  it('signs nothing without KEYWARD_PRINCIPAL_SIGNING', async () => {
    const { key } = await createKey(admin.url, tenant.admin);
    const forwarded = await forwardAuth(unsigned, key);
    expect({ status: forwarded.status, principal: forwarded.headers['keyward-principal'] }).toEqual({ status: 200, principal: undefined });
    const verified = await client(unsigned.url, tenant.verifier).post('/v1/verify', { key, principal: true });
    expect({ code: verified.body.code, principal: verified.body.principal, header: verified.headers.get('keyward-principal') }).toEqual({
      code: 'VALID',
      principal: undefined,
      header: null,
    });
  });

  it('rotates on the platform operator’s call only: new tokens name the new key within a second, old ones still verify', async () => {
    const { key } = await createKey(admin.url, tenant.admin);
    const old = await principalOf(key);
    const oldKid = partsOf(old).header.kid;

    expect((await rotate(tenant.admin)).status).toBe(403);
    expect((await rotate(undefined)).status).toBe(401);
    expect(await currentKid()).toBe(oldKid);

    const rotated = await rotate(TEST_PLATFORM_TOKEN);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ keyId: expect.any(String) });
    expect(rotated.body.keyId).not.toBe(oldKid);
    const started = Date.now();
    const fresh = await eventually(
      () => principalOf(key),
      (token) => partsOf(token).header.kid === rotated.body.keyId,
      2_000,
    );
    expect(partsOf(fresh).header.kid).toBe(rotated.body.keyId);
    expect(Date.now() - started).toBeLessThan(1_500);

    const jwks = await jwksOf();
    expect(jwks.keys.map((jwk) => jwk.kid)).toEqual(expect.arrayContaining([oldKid, rotated.body.keyId]));
    expect(await signatureVerifies(old, jwks)).toBe(true);
    expect(await signatureVerifies(fresh, jwks)).toBe(true);
    // The replaced key stays published longer than its last token lives, and no longer than asked.
    const [{ published }] = await sql<{ published: number }>(
      'owner',
      `SELECT extract(epoch FROM published_until - retired_at)::int AS published FROM signing_keys WHERE kid = $1`,
      [oldKid],
    );
    expect(published).toBe(PRINCIPAL_KEY_PUBLISHED_AFTER_REPLACEMENT_SECONDS);
    expect(published).toBeGreaterThan(60 + 10);
  });

  it('is rotated by the worker’s schedule once older than KEYWARD_PRINCIPAL_KEY_MAX_AGE_DAYS, and not before', async () => {
    const runRotation = () => worker.app.get(HousekeepingProcessor).process({ name: PRINCIPAL_KEY_ROTATION } as Job);
    const kid = await currentKid();
    expect(await runRotation()).toEqual({ keyId: kid, rotated: false });

    await sql('owner', `UPDATE signing_keys SET created_at = now() - interval '31 days' WHERE kid = $1`, [kid]);
    const result = (await runRotation()) as { keyId: string; rotated: boolean };
    expect(result).toEqual({ keyId: expect.any(String), rotated: true });
    expect(result.keyId).not.toBe(kid);
    const { key } = await createKey(admin.url, tenant.admin);
    const token = await eventually(
      () => principalOf(key),
      (each) => partsOf(each).header.kid === result.keyId,
      2_000,
    );
    expect(partsOf(token).header.kid).toBe(result.keyId);
  });

  describe('SDK: verifyPrincipal', () => {
    it('accepts a real token, from KeywardVerifier’s own answer too, and refuses a tampered one and an expired one', async () => {
      const { id, key } = await createKey(admin.url, tenant.admin, { ownerId: 'cust-9', scopes: ['orders:read'] });
      const verifier = new KeywardVerifier({ baseUrl: verify.url, token: tenant.verifier, principals: { issuer: ISSUER } });
      verifiers.push(verifier);
      const answer = await verifier.verify({ key, principal: true });
      expect(answer.principalToken).toEqual(expect.any(String));
      expect(await verifier.verifyPrincipal(answer.principalToken!)).toMatchObject({ sub: id, tid: tenant.id, own: 'cust-9' });

      const token = await principalOf(key);
      const principals = new KeywardPrincipalVerifier({ baseUrl: verify.url, issuer: ISSUER });
      const claims = await principals.verifyPrincipal(token);
      expect(claims).toEqual(partsOf(token).claims);

      const [h, p, s] = token.split('.');
      const tampered = Buffer.from(JSON.stringify({ ...claims, scp: ['admin:*'] })).toString('base64url');
      const otherSignature = Buffer.from(s, 'base64url').map((byte, i) => (i === 0 ? byte ^ 1 : byte));
      const refusals = async (verifying: KeywardPrincipalVerifier, candidate: string) =>
        verifying.verifyPrincipal(candidate).then(
          () => 'accepted',
          (error: unknown) => (error instanceof KeywardPrincipalError ? error.reason : String(error)),
        );
      expect(await refusals(principals, `${h}.${tampered}.${s}`)).toBe('bad-signature');
      expect(await refusals(principals, `${h}.${p}.${Buffer.from(otherSignature).toString('base64url')}`)).toBe('bad-signature');
      expect(await refusals(principals, `${h}.${p}`)).toBe('malformed');
      const later = new KeywardPrincipalVerifier({ baseUrl: verify.url, now: () => (claims.exp + 6) * 1000 });
      expect(await refusals(later, token)).toBe('expired');
      const otherIssuer = new KeywardPrincipalVerifier({ baseUrl: verify.url, issuer: 'someone-else' });
      expect(await refusals(otherIssuer, token)).toBe('wrong-issuer');
      // The error never holds the token.
      const error = await principals.verifyPrincipal(`${h}.${tampered}.${s}`).catch((caught: Error) => caught);
      expect(String((error as Error).message)).not.toContain(s);
    });

    it('fetches the JWKS again for an unknown kid (not more often than refetchIntervalMs), and refuses a kid still unknown after', async () => {
      const { key } = await createKey(admin.url, tenant.admin);
      const principals = new KeywardPrincipalVerifier({ baseUrl: verify.url, refetchIntervalMs: 0 });
      const patient = new KeywardPrincipalVerifier({ baseUrl: verify.url, refetchIntervalMs: 60_000 });
      const before = await principalOf(key);
      await principals.verifyPrincipal(before);
      await patient.verifyPrincipal(before);

      const rotated = await rotate(TEST_PLATFORM_TOKEN);
      const after = await eventually(
        () => principalOf(key),
        (token) => partsOf(token).header.kid === rotated.body.keyId,
        2_000,
      );
      // A kid it did not hold: fetched again, found.
      expect(await principals.verifyPrincipal(after)).toMatchObject({ jti: partsOf(after).claims.jti });
      // Within its refetch interval the other one does not fetch again.
      await expect(patient.verifyPrincipal(after)).rejects.toMatchObject({ reason: 'unknown-key' });
      // A well-formed token of a key the service never had: unknown after the refetch.
      const stranger = generateKeyPairSync('ed25519').privateKey;
      const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: 'not-a-keyward-key', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ ...partsOf(after).claims, jti: randomUUID() })).toString('base64url');
      const signature = sign(null, Buffer.from(`${header}.${payload}`), stranger).toString('base64url');
      await expect(principals.verifyPrincipal(`${header}.${payload}.${signature}`)).rejects.toMatchObject({ reason: 'unknown-key' });
    });
  });
});
