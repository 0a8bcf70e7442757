import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SigningPurpose } from './domain/ed25519-key';

export interface PublishedKeyRow {
  kid: string;
  publicKey: Buffer;
}

export interface CurrentKeyRow extends PublishedKeyRow {
  sealedPrivateKey: Buffer;
}

export interface NewKeyRow extends CurrentKeyRow {
  purpose: SigningPurpose;
}

/**
 * The platform-wide signing keys, through the narrow SECURITY DEFINER functions of migration
 * 1766000000000-audit-checkpoints.ts: the app role has no privilege on the table itself.
 */
@Injectable()
export class SigningKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  async published(purpose: SigningPurpose): Promise<PublishedKeyRow[]> {
    const rows: Array<{ kid: string; public_key: Buffer }> = await this.dataSource.query(
      'SELECT kid, public_key FROM keyward_published_signing_keys($1)',
      [purpose],
    );
    return rows.map((row) => ({ kid: row.kid, publicKey: row.public_key }));
  }

  async current(purpose: SigningPurpose): Promise<CurrentKeyRow | null> {
    const [row]: Array<{ kid: string; public_key: Buffer; sealed_private_key: Buffer }> = await this.dataSource.query(
      'SELECT kid, public_key, sealed_private_key FROM keyward_current_signing_key($1)',
      [purpose],
    );
    return row ? { kid: row.kid, publicKey: row.public_key, sealedPrivateKey: row.sealed_private_key } : null;
  }

  /**
   * Makes `key` the current key of its purpose unless the current one is younger than
   * `replaceIfOlderThanSeconds` (null: keep any current key); the kid current afterwards.
   */
  async add(key: NewKeyRow, replaceIfOlderThanSeconds: number | null, publishRetiredForSeconds: number | null): Promise<string> {
    const [row]: Array<{ kid: string }> = await this.dataSource.query(
      `SELECT keyward_add_signing_key($1, $2, $3, $4, make_interval(secs => $5), make_interval(secs => $6)) AS kid`,
      [key.purpose, key.kid, key.publicKey, key.sealedPrivateKey, replaceIfOlderThanSeconds, publishRetiredForSeconds],
    );
    return row.kid;
  }
}
