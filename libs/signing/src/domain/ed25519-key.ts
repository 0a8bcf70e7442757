// Ed25519 key material and its public form as a JWK (RFC 8037), named by its RFC 7638 thumbprint:
// an auditor can recompute a kid from the key it names.
import canonicalize from 'canonicalize';
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** What the ring uses a key for: each purpose has its own keys and its own JWKS. */
export const SIGNING_PURPOSES = ['audit', 'principal'] as const;
export type SigningPurpose = (typeof SIGNING_PURPOSES)[number];

export interface Ed25519PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  use: 'sig';
  alg: 'EdDSA';
}

export interface Jwks {
  keys: Ed25519PublicJwk[];
}

export interface GeneratedKey {
  kid: string;
  /** The 32 bytes of the public key (the JWK's `x`, decoded). */
  publicKey: Buffer;
  /** PKCS #8 DER: to be sealed before it is stored anywhere. */
  privateKeyDer: Buffer;
}

/** The RFC 7638 thumbprint (SHA-256, base64url) of the Ed25519 public key `x` (base64url). */
export function thumbprintOf(x: string): string {
  const required = canonicalize({ crv: 'Ed25519', kty: 'OKP', x });
  return createHash('sha256').update(required!, 'utf8').digest('base64url');
}

export function publicJwkOf(publicKey: Buffer): Ed25519PublicJwk {
  const x = publicKey.toString('base64url');
  return { kty: 'OKP', crv: 'Ed25519', x, kid: thumbprintOf(x), use: 'sig', alg: 'EdDSA' };
}

export function generateEd25519Key(): GeneratedKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return {
    kid: thumbprintOf(x),
    publicKey: Buffer.from(x, 'base64url'),
    privateKeyDer: privateKey.export({ format: 'der', type: 'pkcs8' }),
  };
}

export function privateKeyOf(privateKeyDer: Buffer): KeyObject {
  return createPrivateKey({ key: privateKeyDer, format: 'der', type: 'pkcs8' });
}

/** The Ed25519 signature of `data`, base64url (as a JWS carries it). */
export function signEd25519(privateKey: KeyObject, data: Buffer): string {
  return sign(null, data, privateKey).toString('base64url');
}
