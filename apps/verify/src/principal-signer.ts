// Signed principals (docs/gateways.md, Signed principals): the `Keyward-Principal` JWS of a VALID
// answer, signed with the deployment's current principal key, which this process rereads when a
// rotation is announced and every PRINCIPAL_KEY_RELOAD_SECONDS in case an announcement was missed.
import type { VerifiableKey } from '@keyward/keys';
import {
  errorSummary,
  InvalidationSubscriber,
  KEYWARD_CONFIG,
  type InvalidationListener,
  type InvalidationMessage,
  type KeywardConfig,
} from '@keyward/platform';
import { PRINCIPAL_KEY_RELOAD_SECONDS, PRINCIPAL_TOKEN_SECONDS, SigningKeyRing, type Jwks, type Signer } from '@keyward/signing';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

/** How long one read of the JWKS is served again: a second, so that a new key is published everywhere at once. */
const JWKS_KEPT_MS = 1_000;

interface CurrentKey {
  signer: Signer;
  /** The JWS's protected header, base64url, and the dot that follows it. */
  headerDot: string;
}

@Injectable()
export class PrincipalSigner implements InvalidationListener, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PrincipalSigner.name);
  readonly enabled: boolean;
  private readonly issuer: string;
  private current: CurrentKey | null = null;
  /** The claims of a key record up to `iat`, serialized once: a record is replaced, never changed, when its key changes. */
  private readonly claimsByKey = new WeakMap<VerifiableKey, string>();
  private loadsStarted = 0;
  private loadApplied = 0;
  /** Whether the last read failed: a warning when reads start failing, not one per read. */
  private failing = false;
  private timer?: NodeJS.Timeout;
  private jwksRead?: { at: number; jwks: Promise<Jwks> };

  constructor(
    private readonly keyRing: SigningKeyRing,
    private readonly subscriber: InvalidationSubscriber,
    @Inject(KEYWARD_CONFIG) config: KeywardConfig,
  ) {
    this.enabled = config.principal.signing;
    this.issuer = config.principal.issuer;
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    this.subscriber.register(this);
    await this.reload('boot');
    this.timer = setInterval(() => void this.reload('periodic reread'), PRINCIPAL_KEY_RELOAD_SECONDS * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  onInvalidation(message: InvalidationMessage): void {
    if (message.kind === 'signing-key' && message.purpose === 'principal') void this.reload('rotation announced');
  }

  onSubscriptionGap(): void {
    void this.reload('invalidations may have been missed');
  }

  /**
   * The compact JWS of `key` (its effective scopes, as answered), or null when signing is off or
   * no key could be read yet. Per token only `iat`, `exp` and `jti` are written and the signature made.
   */
  sign(key: VerifiableKey): string | null {
    const current = this.current;
    if (current === null) return null;
    let claims = this.claimsByKey.get(key);
    if (claims === undefined) {
      claims = JSON.stringify({
        iss: this.issuer,
        sub: key.id,
        tid: key.tenantId,
        ...(key.ownerId === null ? {} : { own: key.ownerId }),
        scp: key.scopes,
        ...(key.roles.length === 0 ? {} : { rol: key.roles }),
      }).slice(0, -1);
      this.claimsByKey.set(key, claims);
    }
    const iat = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(`${claims},"iat":${iat},"exp":${iat + PRINCIPAL_TOKEN_SECONDS},"jti":"${randomUUID()}"}`, 'utf8');
    const signingInput = current.headerDot + payload.toString('base64url');
    return `${signingInput}.${current.signer.sign(Buffer.from(signingInput, 'latin1'))}`;
  }

  /** The published principal keys: the current one and any replaced one whose tokens may still be valid. */
  jwks(): Promise<Jwks> {
    const now = Date.now();
    if (this.jwksRead === undefined || now - this.jwksRead.at >= JWKS_KEPT_MS) {
      const jwks = this.keyRing.jwks('principal');
      this.jwksRead = { at: now, jwks };
      jwks.catch(() => (this.jwksRead = undefined));
    }
    return this.jwksRead.jwks;
  }

  /** Rereads the current key (making the first one if there is none); the latest read started wins. */
  private async reload(reason: string): Promise<void> {
    const load = ++this.loadsStarted;
    try {
      const signer = await this.keyRing.signer('principal');
      if (this.failing) this.logger.log({ reason }, 'Read the principal signing key again');
      this.failing = false;
      if (load < this.loadApplied) return;
      this.loadApplied = load;
      if (this.current?.signer.keyId === signer.keyId) return;
      const header = JSON.stringify({ alg: 'EdDSA', kid: signer.keyId, typ: 'JWT' });
      this.current = { signer, headerDot: `${Buffer.from(header, 'utf8').toString('base64url')}.` };
      this.jwksRead = undefined;
    } catch (error) {
      if (this.failing) return;
      this.failing = true;
      this.logger.warn(
        { error: errorSummary(error), reason },
        this.current === null
          ? 'Could not read the principal signing key: VALID answers carry no Keyward-Principal until it can be read'
          : 'Could not reread the principal signing key; the key read before goes on signing',
      );
    }
  }
}
