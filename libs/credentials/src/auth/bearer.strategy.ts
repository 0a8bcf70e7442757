import type { Principal } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { AuthenticateCredentialUseCase } from '../use-cases/authenticate-credential.use-case';

/** passport's bearer scheme over our credential look-up; no caching, so a revocation acts at once. */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(private readonly authenticateCredential: AuthenticateCredentialUseCase) {
    super();
  }

  async validate(token: string): Promise<Principal | false> {
    return (await this.authenticateCredential.execute(token))?.principal ?? false;
  }
}
