import { Module } from '@nestjs/common';
import { SigningKeyRing } from './signing-key-ring';
import { SigningKeysRepository } from './signing-keys.repository';

@Module({
  providers: [SigningKeysRepository, SigningKeyRing],
  exports: [SigningKeyRing],
})
export class SigningModule {}
