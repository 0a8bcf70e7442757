import { parseApiKey } from '@keyward/keys';
import { KEYWARD_CONFIG, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable } from '@nestjs/common';
import type { VerifyAnswer, VerifyRequest } from './verify.schema';

/**
 * The verify decision for one request. Until keys can be issued (the keys capability), no
 * well-formed key can exist, so the answer is MALFORMED or NOT_FOUND.
 */
@Injectable()
export class VerifyService {
  constructor(@Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig) {}

  verify(request: VerifyRequest): VerifyAnswer {
    if (!parseApiKey(request.key, this.config.keyPrefix)) return { valid: false, code: 'MALFORMED' };
    return { valid: false, code: 'NOT_FOUND' };
  }
}
