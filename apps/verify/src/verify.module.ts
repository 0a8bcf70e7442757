import { CredentialsModule } from '@keyward/credentials';
import { InvalidationSubscriber, PlatformModule, type PlatformOptions } from '@keyward/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { VerifierAuthenticator } from './verifier-authenticator';
import { VerifyService } from './verify.service';

export type VerifyOptions = Omit<PlatformOptions, 'service' | 'quietPaths'>;

@Module({})
export class VerifyModule {
  static forRoot(options: VerifyOptions): DynamicModule {
    return {
      module: VerifyModule,
      // The hot path writes no access log line per request; its metrics say what happened.
      imports: [PlatformModule.forRoot({ ...options, service: 'verify', quietPaths: ['/v1/verify'] }), CredentialsModule],
      providers: [InvalidationSubscriber, VerifierAuthenticator, VerifyService],
    };
  }
}
