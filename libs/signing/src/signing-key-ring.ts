// The deployment's Ed25519 signing keys, one ring per purpose (docs/auditing.md, Checkpoints):
// generated here, stored with the private half sealed (AES-256-GCM, the deployment's encryption key),
// published as a JWKS, rotated without unpublishing what older keys signed.
import { SecretBox } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { generateEd25519Key, privateKeyOf, publicJwkOf, signEd25519, type Jwks, type SigningPurpose } from './domain/ed25519-key';
import { SigningKeysRepository, type CurrentKeyRow } from './signing-keys.repository';

/** The purpose's current key, ready to sign: the kid is known first, as what is signed often names it. */
export interface Signer {
  keyId: string;
  /** The Ed25519 signature of `data`, base64url. */
  sign(data: Buffer): string;
}

export interface RotationOptions {
  /** Rotate only when the current key is at least this old (a repeated run rotates once). */
  ifOlderThanSeconds?: number;
  /** How long the retired key's public half stays in the JWKS; for ever when absent. */
  publishRetiredForSeconds?: number;
}

/** The ciphertext names its key and purpose, so a sealed key cannot be swapped for another row's. */
function associatedData(purpose: SigningPurpose, kid: string): string {
  return `signing-key:${purpose}:${kid}`;
}

@Injectable()
export class SigningKeyRing {
  /** Opened private keys by kid: a key never changes once made, only stops being current. */
  private readonly opened = new Map<string, KeyObject>();

  constructor(
    private readonly repository: SigningKeysRepository,
    private readonly secretBox: SecretBox,
  ) {}

  /** The purpose's current key, making the first one if there is none yet. */
  async signer(purpose: SigningPurpose): Promise<Signer> {
    const current = (await this.repository.current(purpose)) ?? (await this.makeFirst(purpose));
    const privateKey = this.open(purpose, current);
    return { keyId: current.kid, sign: (data) => signEd25519(privateKey, data) };
  }

  /** Every published public key of the purpose: the current one and the retired ones still published. */
  async jwks(purpose: SigningPurpose): Promise<Jwks> {
    const rows = await this.repository.published(purpose);
    return { keys: rows.map((row) => publicJwkOf(row.publicKey)) };
  }

  /** Replaces the purpose's current key with a new one; the kid current afterwards. */
  rotate(purpose: SigningPurpose, options: RotationOptions = {}): Promise<string> {
    return this.add(purpose, options.ifOlderThanSeconds ?? 0, options.publishRetiredForSeconds ?? null);
  }

  private async makeFirst(purpose: SigningPurpose): Promise<CurrentKeyRow> {
    await this.add(purpose, null, null);
    const current = await this.repository.current(purpose);
    if (!current) throw new Error(`No current ${purpose} signing key after making one`);
    return current;
  }

  private add(purpose: SigningPurpose, replaceIfOlderThanSeconds: number | null, publishRetiredForSeconds: number | null): Promise<string> {
    const key = generateEd25519Key();
    const sealedPrivateKey = this.secretBox.seal(key.privateKeyDer, associatedData(purpose, key.kid));
    key.privateKeyDer.fill(0);
    return this.repository.add(
      { purpose, kid: key.kid, publicKey: key.publicKey, sealedPrivateKey },
      replaceIfOlderThanSeconds,
      publishRetiredForSeconds,
    );
  }

  private open(purpose: SigningPurpose, row: CurrentKeyRow): KeyObject {
    let key = this.opened.get(row.kid);
    if (!key) {
      const der = this.secretBox.open(row.sealedPrivateKey, associatedData(purpose, row.kid));
      key = privateKeyOf(der);
      der.fill(0);
      this.opened.set(row.kid, key);
    }
    return key;
  }
}
