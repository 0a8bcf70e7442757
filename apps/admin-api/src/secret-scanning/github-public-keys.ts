// The public keys that sign GitHub's secret scanning reports (docs/secret-scanning.md), fetched from
// KEYWARD_GITHUB_KEYS_URL and kept in memory. A report signed by a key not seen yet fetches the
// document again, at most once a minute; while no key could ever be fetched, reports are answered
// 503 (GitHub retries them), never accepted unsigned.
import { DomainError, KEYWARD_CONFIG, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** The shortest time between two fetches of the keys document. */
export const GITHUB_KEYS_REFETCH_MS = 60_000;
/** How long a fetch of the keys document may take. */
const FETCH_TIMEOUT_MS = 5_000;

export class GithubKeysUnavailableError extends DomainError {
  constructor() {
    super(
      'SERVICE_UNAVAILABLE',
      "GitHub's secret scanning public keys could not be fetched; retry later.",
      [],
      Math.ceil(GITHUB_KEYS_REFETCH_MS / 1000),
    );
  }
}

/** `{public_keys: [{key_identifier, key, is_current}]}`, each `key` a PEM of an ECDSA P-256 public key. */
export function publicKeysOf(document: unknown): Map<string, KeyObject> {
  const entries = (document as { public_keys?: unknown } | null)?.public_keys;
  if (!Array.isArray(entries)) throw new Error('the keys document has no public_keys array');
  const keys = new Map<string, KeyObject>();
  for (const entry of entries as Array<{ key_identifier?: unknown; key?: unknown }>) {
    if (typeof entry?.key_identifier !== 'string' || typeof entry.key !== 'string') continue;
    try {
      const key = createPublicKey(entry.key);
      if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') keys.set(entry.key_identifier, key);
    } catch {
      // Not a PEM public key: skipped, as is a key of another type.
    }
  }
  if (keys.size === 0) throw new Error('the keys document holds no ECDSA P-256 public key');
  return keys;
}

@Injectable()
export class GithubPublicKeys {
  private readonly logger = new Logger(GithubPublicKeys.name);
  private keys = new Map<string, KeyObject>();
  /** When the last fetch began (epoch ms), or null before the first. */
  private lastFetchAt: number | null = null;
  /** The fetch under way, which concurrent reports join. */
  private fetching: Promise<void> | null = null;

  constructor(@Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig) {}

  /**
   * Whether `signature` (base64 of a DER ECDSA signature) is the signature of `body` by the key
   * `identifier` names. Throws GithubKeysUnavailableError when no key is known at all.
   */
  async verify(body: Buffer, identifier: string | undefined, signature: string | undefined): Promise<boolean> {
    if (!identifier || !signature) return false;
    const key = await this.keyFor(identifier);
    if (!key) return false;
    try {
      return verify('sha256', body, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
    } catch {
      return false; // not a DER signature at all
    }
  }

  private async keyFor(identifier: string): Promise<KeyObject | undefined> {
    if (!this.keys.has(identifier)) {
      if (this.fetching) await this.fetching;
      else if (this.lastFetchAt === null || Date.now() - this.lastFetchAt >= GITHUB_KEYS_REFETCH_MS) await this.refresh();
    }
    if (this.keys.size === 0) throw new GithubKeysUnavailableError();
    return this.keys.get(identifier);
  }

  private refresh(): Promise<void> {
    this.lastFetchAt = Date.now();
    this.fetching = this.fetchKeys()
      .then(
        (keys) => {
          this.keys = keys;
        },
        (error: Error) => {
          this.logger.warn(
            { err: error, cachedKeys: this.keys.size },
            `Could not fetch GitHub's secret scanning public keys (KEYWARD_GITHUB_KEYS_URL); trying again in ${GITHUB_KEYS_REFETCH_MS / 1000} s at the earliest`,
          );
        },
      )
      .finally(() => {
        this.fetching = null;
      });
    return this.fetching;
  }

  private async fetchKeys(): Promise<Map<string, KeyObject>> {
    const response = await fetch(this.config.githubKeysUrl, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`the keys document answered ${response.status}`);
    return publicKeysOf(await response.json());
  }
}
