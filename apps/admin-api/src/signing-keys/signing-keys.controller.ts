import { Allow } from '@keyward/platform';
import { PRINCIPAL_KEY_PUBLISHED_AFTER_REPLACEMENT_SECONDS, PrincipalKeyRotation } from '@keyward/signing';
import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiPlatformRouteProblems } from '../admin-api.openapi';

export class SigningKeyRotationResource {
  @ApiProperty({
    description: 'The kid of the key that signs from now on, as the JWKS and the tokens name it',
    example: '1QCCZZ9DbZRmXySZHQuV9At0J240RbArEd1v3TyNvqA',
  })
  keyId: string;
}

/** The deployment's signing keys, which belong to no tenant: the platform operator's (docs/gateways.md, Signed principals). */
@ApiTags('signing-keys')
@ApiPlatformRouteProblems()
@Allow('platform')
@Controller('v1/signing-keys')
export class SigningKeysController {
  constructor(private readonly principalKeys: PrincipalKeyRotation) {}

  @Post('principal/rotate')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'rotatePrincipalSigningKey',
    summary: 'Rotate the key that signs principals',
    description:
      'Replaces the Ed25519 key that signs the `Keyward-Principal` tokens of the verify service now, without a restart: every ' +
      'verify process signs with the new key within a second (within 10 seconds should Redis lose the announcement), and the ' +
      `JWKS keeps the replaced key for ${PRINCIPAL_KEY_PUBLISHED_AFTER_REPLACEMENT_SECONDS} seconds, longer than any token it ` +
      'signed lives. The worker also rotates it once it is KEYWARD_PRINCIPAL_KEY_MAX_AGE_DAYS old; rotate by hand when a key may ' +
      'have been exposed.',
  })
  @ApiOkResponse({ type: SigningKeyRotationResource, description: 'The new current key' })
  rotatePrincipal(): Promise<SigningKeyRotationResource> {
    return this.principalKeys.rotate();
  }
}
