import { Module } from '@nestjs/common';
import { PrincipalKeyRotation } from './principal-keys';
import { SigningKeyRing } from './signing-key-ring';
import { SigningKeysRepository } from './signing-keys.repository';

@Module({
  providers: [SigningKeysRepository, SigningKeyRing, PrincipalKeyRotation],
  exports: [SigningKeyRing, PrincipalKeyRotation],
})
export class SigningModule {}
