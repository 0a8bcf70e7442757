import { createPublicKey, verify } from 'node:crypto';
import { generateEd25519Key, privateKeyOf, publicJwkOf, signEd25519, thumbprintOf } from './ed25519-key';

describe('Ed25519 keys', () => {
  it("name a key by the RFC 7638 thumbprint of its JWK (the RFC 8037 example's)", () => {
    // RFC 8037, appendix A.3: the thumbprint of the example key.
    expect(thumbprintOf('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo')).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('publish the public half as an OKP JWK whose kid is its thumbprint', () => {
    const key = generateEd25519Key();
    const jwk = publicJwkOf(key.publicKey);
    expect(jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: key.publicKey.toString('base64url'), kid: key.kid, use: 'sig', alg: 'EdDSA' });
    expect(key.publicKey).toHaveLength(32);
  });

  it('sign so that the published JWK verifies, and only the data signed', () => {
    const key = generateEd25519Key();
    const signature = Buffer.from(signEd25519(privateKeyOf(key.privateKeyDer), Buffer.from('checkpoint')), 'base64url');
    const publicKey = createPublicKey({ key: { ...publicJwkOf(key.publicKey) }, format: 'jwk' });
    expect(verify(null, Buffer.from('checkpoint'), publicKey, signature)).toBe(true);
    expect(verify(null, Buffer.from('checkpoinT'), publicKey, signature)).toBe(false);
  });
});
