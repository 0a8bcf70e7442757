import { Public } from '@keyward/platform';
import type { Jwks } from '@keyward/signing';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PrincipalSigner } from './principal-signer';

/** The public keys of signed principals (docs/gateways.md, Signed principals): anyone may read them. */
@ApiTags('verify')
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly principals: PrincipalSigner) {}

  @Get('jwks.json')
  @ApiOperation({
    operationId: 'getPrincipalSigningKeys',
    summary: 'The public keys that sign principals (JWKS)',
    description:
      'A JSON Web Key Set of the Ed25519 keys (`kty` OKP, `crv` Ed25519, `alg` EdDSA) that sign the `Keyward-Principal` tokens, ' +
      "each named by its RFC 7638 thumbprint (the token header's `kid`): the current key and, after a rotation, the key it " +
      'replaced until every token that key signed has expired. Empty while the deployment has never signed a principal. ' +
      'Fetch it again when a token names a `kid` it does not hold.\n\nCallers: anyone, without a credential.',
  })
  @ApiOkResponse({
    description: 'The key set',
    schema: {
      type: 'object',
      required: ['keys'],
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kty', 'crv', 'x', 'kid', 'use', 'alg'],
            properties: {
              kty: { type: 'string', enum: ['OKP'] },
              crv: { type: 'string', enum: ['Ed25519'] },
              x: { type: 'string', description: 'The public key, base64url' },
              kid: { type: 'string', description: 'The RFC 7638 thumbprint of the key' },
              use: { type: 'string', enum: ['sig'] },
              alg: { type: 'string', enum: ['EdDSA'] },
            },
          },
        },
      },
      example: {
        keys: [
          {
            kty: 'OKP',
            crv: 'Ed25519',
            x: '6Hyn2P5MGoFXDazekhmG0VnzsgueYgh1h27isSgKqsE',
            kid: '1QCCZZ9DbZRmXySZHQuV9At0J240RbArEd1v3TyNvqA',
            use: 'sig',
            alg: 'EdDSA',
          },
        ],
      },
    },
  })
  jwks(): Promise<Jwks> {
    return this.principals.jwks();
  }
}
