import { KEYWARD_CONFIG, KeyedHasher, type KeywardConfig, type Principal } from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { CredentialsRepository } from '../credentials.repository';
import { isWellFormedCredentialToken } from '../domain/credential-token';

export interface Authentication {
  readonly principal: Principal;
  /** When a cached copy of this authentication must be dropped at the latest. */
  readonly expiresAt: Date | null;
}

/**
 * Turns a bearer token into the caller: the platform operator, a live tenant credential, or no one
 * (null). A token of the wrong shape is refused before any store is asked.
 */
@Injectable()
export class AuthenticateCredentialUseCase {
  private readonly platformTokenHash: Buffer;

  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly hasher: KeyedHasher,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {
    this.platformTokenHash = hasher.hash(config.platformAdminToken);
  }

  async execute(token: string, now = new Date()): Promise<Authentication | null> {
    // Compare keyed hashes, not the strings: equal lengths, and constant time.
    if (timingSafeEqual(this.hasher.hash(token), this.platformTokenHash)) return { principal: { kind: 'platform' }, expiresAt: null };
    if (!isWellFormedCredentialToken(token, this.config.keyPrefix)) return null;
    const found = await this.credentials.findByTokenHash(this.hasher.hash(token));
    if (!found || found.revokedAt || (found.expiresAt && found.expiresAt.getTime() <= now.getTime())) return null;
    return {
      principal: {
        kind: 'credential',
        credentialId: found.credentialId,
        tenantId: found.tenantId,
        role: found.role,
        tenantStatus: found.tenantStatus,
      },
      expiresAt: found.expiresAt,
    };
  }
}
