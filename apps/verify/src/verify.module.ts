import { CredentialsModule } from '@keyward/credentials';
import { KeysModule } from '@keyward/keys';
import { InvalidationSubscriber, PlatformModule, type PlatformOptions } from '@keyward/platform';
import { SigningModule } from '@keyward/signing';
import { Module, type DynamicModule } from '@nestjs/common';
import { CreditsWriteBack } from './credits-write-back';
import { InvalidationLag } from './invalidation-lag';
import { JwksController } from './jwks.controller';
import { KeyCache, KeyStoreFailures } from './key-cache';
import { Limiter } from './limiter';
import { OwnerCache } from './owner-cache';
import { PrincipalSigner } from './principal-signer';
import { RedisDurabilityCheck } from './redis-durability-check';
import { RoleCache } from './role-cache';
import { UsageRecorder } from './usage-recorder';
import { VerifierAuthenticator } from './verifier-authenticator';
import { VerifyMetrics } from './verify-metrics';
import { VerifyReadiness } from './verify-readiness';
import { VerifyService } from './verify.service';

export type VerifyOptions = Omit<PlatformOptions, 'service' | 'quietPaths' | 'accessLogs'>;

@Module({})
export class VerifyModule {
  static forRoot(options: VerifyOptions): DynamicModule {
    return {
      module: VerifyModule,
      // No access log lines on this service (see PlatformOptions.accessLogs): its metrics say what happened.
      imports: [PlatformModule.forRoot({ ...options, service: 'verify', accessLogs: false }), CredentialsModule, KeysModule, SigningModule],
      controllers: [JwksController],
      providers: [
        InvalidationSubscriber,
        VerifyMetrics,
        InvalidationLag,
        VerifierAuthenticator,
        KeyStoreFailures,
        KeyCache,
        OwnerCache,
        RoleCache,
        Limiter,
        UsageRecorder,
        CreditsWriteBack,
        RedisDurabilityCheck,
        VerifyService,
        PrincipalSigner,
        VerifyReadiness,
      ],
    };
  }
}
