import type { Principal } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { AuthenticateCredentialUseCase } from '@keyward/credentials';

/**
 * passport's bearer scheme over the credential look-up; no caching, so a revocation acts at once.
 * It lives in the admin API alone: passport keeps strategies in one global registry, and the
 * verify service authenticates through its own cache instead.
 */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(private readonly authenticateCredential: AuthenticateCredentialUseCase) {
    super();
  }

  async validate(token: string): Promise<Principal | false> {
    return (await this.authenticateCredential.execute(token))?.principal ?? false;
  }
}
