import type { VerifiableKey } from '@keyward/keys';
import type { InvalidationSubscriber, KeywardConfig } from '@keyward/platform';
import type { SigningKeyRing } from '@keyward/signing';
import { generateKeyPairSync, sign, webcrypto, type JsonWebKey, type KeyObject } from 'node:crypto';
import { PrincipalSigner } from './principal-signer';

const key = (fields: Partial<VerifiableKey> = {}): VerifiableKey =>
  ({
    id: '8d5e3c2a-4b1f-4a6e-9c7d-0e2f1a3b5c7d',
    tenantId: '11111111-2222-4333-8444-555555555555',
    ownerId: 'cus_1',
    scopes: ['orders:read', 'tickets:*'],
    roles: ['support'],
    ...fields,
  }) as VerifiableKey;

interface TestKey {
  kid: string;
  privateKey: KeyObject;
  jwk: JsonWebKey;
}

function testKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid, privateKey, jwk: publicKey.export({ format: 'jwk' }) };
}

/** A key ring whose current key the test sets: the signer's reads of it, without PostgreSQL. */
function ringOf(current: { key: TestKey }): SigningKeyRing {
  return {
    signer: async () => ({
      keyId: current.key.kid,
      sign: (data: Buffer) => sign(null, data, current.key.privateKey).toString('base64url'),
    }),
  } as unknown as SigningKeyRing;
}

async function verifies(token: string, jwk: JsonWebKey): Promise<boolean> {
  const [header, payload, signature] = token.split('.');
  const publicKey = await webcrypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['verify']);
  return webcrypto.subtle.verify({ name: 'Ed25519' }, publicKey, Buffer.from(signature, 'base64url'), Buffer.from(`${header}.${payload}`));
}

const decoded = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

describe('PrincipalSigner', () => {
  const listeners: unknown[] = [];
  const subscriber = { register: (listener: unknown) => listeners.push(listener) } as unknown as InvalidationSubscriber;
  const signers: PrincipalSigner[] = [];
  const signerOf = async (current: { key: TestKey }, principal: Partial<KeywardConfig['principal']> = {}) => {
    const config = { principal: { signing: true, issuer: 'keyward', keyMaxAgeDays: 30, ...principal } } as KeywardConfig;
    const signer = new PrincipalSigner(ringOf(current), subscriber, config);
    signers.push(signer);
    await signer.onModuleInit();
    return signer;
  };
  afterAll(() => signers.forEach((signer) => signer.onApplicationShutdown()));

  it('signs the key’s claims, in order, with exp = iat + 60 and a new jti each time; WebCrypto verifies them', async () => {
    const current = { key: testKey('kid-1') };
    const signer = await signerOf(current);
    const now = Math.floor(Date.now() / 1000);
    const token = signer.sign(key())!;
    const [header, payload] = token.split('.');
    expect(decoded(header)).toEqual({ alg: 'EdDSA', kid: 'kid-1', typ: 'JWT' });
    const claims = decoded(payload);
    expect(Object.keys(claims)).toEqual(['iss', 'sub', 'tid', 'own', 'scp', 'rol', 'iat', 'exp', 'jti']);
    expect(claims).toMatchObject({ iss: 'keyward', sub: key().id, tid: key().tenantId, own: 'cus_1', scp: ['orders:read', 'tickets:*'] });
    expect(claims.iat - now).toBeLessThanOrEqual(1);
    expect(claims.exp).toBe(claims.iat + 60);
    expect(await verifies(token, current.key.jwk)).toBe(true);
    expect(decoded(signer.sign(key())!.split('.')[1]).jti).not.toBe(claims.jti);
  });

  it('leaves out own and rol when the key has neither, and names the configured issuer; the claims of one record are not another’s', async () => {
    const signer = await signerOf({ key: testKey('kid-2') }, { issuer: 'acme-gw' });
    const bare = decoded(signer.sign(key({ ownerId: null, roles: [] }))!.split('.')[1]);
    expect(Object.keys(bare)).toEqual(['iss', 'sub', 'tid', 'scp', 'iat', 'exp', 'jti']);
    expect(bare.iss).toBe('acme-gw');
    const other = decoded(signer.sign(key({ id: 'other', scopes: ['x'] }))!.split('.')[1]);
    expect({ sub: other.sub, scp: other.scp }).toEqual({ sub: 'other', scp: ['x'] });
  });

  it('signs with the new key once a rotation is announced, and with none while signing is off', async () => {
    const current = { key: testKey('kid-a') };
    const signer = await signerOf(current);
    current.key = testKey('kid-b');
    expect(decoded(signer.sign(key())!.split('.')[0]).kid).toBe('kid-a');
    signer.onInvalidation({ kind: 'signing-key', purpose: 'audit' });
    signer.onInvalidation({ kind: 'signing-key', purpose: 'principal' });
    await new Promise((resolve) => setImmediate(resolve));
    const token = signer.sign(key())!;
    expect(decoded(token.split('.')[0]).kid).toBe('kid-b');
    expect(await verifies(token, current.key.jwk)).toBe(true);

    const off = await signerOf(current, { signing: false });
    expect({ enabled: off.enabled, token: off.sign(key()) }).toEqual({ enabled: false, token: null });
  });
});
