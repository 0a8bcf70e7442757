import { Inject, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../auth/public.decorator';
import { principalOf, type AuthenticatedRequest } from '../auth/access';
import { KEYWARD_CONFIG } from '../config/config.tokens';
import type { KeywardConfig } from '../config/keyward-config';
import { RateLimitedError } from '../errors/domain-error';
import type { RedisClient } from '../redis/redis-connection';
import { REDIS_CLIENT } from '../redis/redis.tokens';

const WINDOW_MS = 60_000;

// Count and set the window's expiry in one step, so a crash between the two cannot leave a
// counter that never expires.
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

/**
 * ADMIN_RATE_LIMIT_PER_MINUTE per credential, in fixed one-minute windows counted in Redis so that
 * every admin process shares one count. Fails open: an admin API without Redis still serves.
 */
@Injectable()
export class AdminRateLimitGuard implements CanActivate {
  private readonly logger = new Logger(AdminRateLimitGuard.name);

  constructor(
    private readonly reflector: Reflector,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const principal = principalOf(context.switchToHttp().getRequest<AuthenticatedRequest>());
    const callerId = principal.kind === 'platform' ? 'platform' : principal.credentialId;
    const now = Date.now();
    const windowStart = now - (now % WINDOW_MS);
    // Hash-tagged like every key Keyward writes: in a Redis Cluster, what is in braces picks the slot.
    const key = `${this.config.redisKeyPrefix}admin-rate:{${callerId}}:${windowStart}`;
    let count: number;
    try {
      count = Number(await this.redis.eval(INCREMENT_SCRIPT, 1, key, String(WINDOW_MS * 2)));
    } catch (error) {
      this.logger.warn({ err: error }, 'Admin rate limit skipped: Redis unavailable');
      return true;
    }
    if (count > this.config.adminRateLimitPerMinute) {
      throw new RateLimitedError(Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)));
    }
    return true;
  }
}
