import { Inject, Injectable, Logger, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { LRUCache } from 'lru-cache';
import { withTimeout } from '../async/with-timeout';
import { IS_PUBLIC } from '../auth/public.decorator';
import { principalOf, type AuthenticatedRequest } from '../auth/access';
import type { Principal } from '../auth/principal';
import { KEYWARD_CONFIG } from '../config/config.tokens';
import type { KeywardConfig } from '../config/keyward-config';
import { RateLimitedError } from '../errors/domain-error';
import { ConnectionStateLog } from '../redis/connection-state-log';
import type { RedisClient } from '../redis/redis-connection';
import { REDIS_CLIENT } from '../redis/redis.tokens';

const WINDOW_MS = 60_000;
/** The longest an admin request waits for Redis's count: past it, the process's own count decides. */
export const ADMIN_RATE_LIMIT_REDIS_BOUND_MS = 150;
/** After Redis failed or was too slow, how long the process counts on its own before asking Redis again. */
export const ADMIN_RATE_LIMIT_LOCAL_MS = 5_000;
/** Callers whose windows the process keeps (least recently seen dropped first). */
const LOCAL_CALLERS = 10_000;

// Count and set the window's expiry in one step, so a crash between the two cannot leave a
// counter that never expires.
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

const PER_ADDRESS = 'keyward:rate-limit-per-address';

/**
 * For a route without a credential (@Public) that must still be limited: at most `limitPerMinute`
 * requests per client address, counted like the per-credential limit (shared in Redis, per process
 * while Redis does not answer).
 */
export const RateLimitPerAddress = (limitPerMinute: number): ClassDecorator & MethodDecorator => SetMetadata(PER_ADDRESS, limitPerMinute);

interface LocalWindow {
  start: number;
  count: number;
}

/**
 * ADMIN_RATE_LIMIT_PER_MINUTE per credential, in fixed one-minute windows counted in Redis so that
 * every admin process shares one count. Every process also counts its own requests per window:
 * while Redis does not answer (down, or slower than ADMIN_RATE_LIMIT_REDIS_BOUND_MS), that count
 * decides, and for ADMIN_RATE_LIMIT_LOCAL_MS Redis is not asked at all, so a frozen Redis costs one
 * request in that period 150 ms and the others nothing. Without Redis the limit therefore holds per
 * process (with N admin processes, a caller gets at most N times the limit), and the count in
 * Redis is never below the process's own, so no request counted in the process is granted again
 * when Redis answers (docs/failure-modes.md).
 */
@Injectable()
export class AdminRateLimitGuard implements CanActivate {
  private readonly state = new ConnectionStateLog(new Logger(AdminRateLimitGuard.name), 'Redis (admin rate limit)');
  private readonly local = new LRUCache<string, LocalWindow>({ max: LOCAL_CALLERS });
  /** Until when (epoch ms) only the process's own count is used. */
  private localUntil = 0;

  constructor(
    private readonly reflector: Reflector,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const perAddress = this.reflector.getAllAndOverride<number | undefined>(PER_ADDRESS, targets);
    if (perAddress === undefined && this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    if (perAddress === undefined) return this.admit(callerIdOf(principalOf(request)), this.config.adminRateLimitPerMinute);
    return this.admit(`address:${request.ip}`, perAddress, 'Too many requests from this address; retry later.');
  }

  private async admit(callerId: string, limit: number, message?: string): Promise<boolean> {
    const now = Date.now();
    const windowStart = now - (now % WINDOW_MS);
    const localCount = this.countLocally(callerId, windowStart);
    const count = Math.max(localCount, (await this.countInRedis(callerId, windowStart, now)) ?? 0);
    if (count > limit) {
      throw new RateLimitedError(Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)), message);
    }
    return true;
  }

  private countLocally(callerId: string, windowStart: number): number {
    let window = this.local.get(callerId);
    if (!window || window.start !== windowStart) this.local.set(callerId, (window = { start: windowStart, count: 0 }));
    return ++window.count;
  }

  /** The shared count, or null when Redis is skipped or did not answer in time. */
  private async countInRedis(callerId: string, windowStart: number, now: number): Promise<number | null> {
    if (now < this.localUntil) return null;
    // Hash-tagged like every key Keyward writes: in a Redis Cluster, what is in braces picks the slot.
    const key = `${this.config.redisKeyPrefix}admin-rate:{${callerId}}:${windowStart}`;
    try {
      const count = Number(
        await withTimeout(
          this.redis.eval(INCREMENT_SCRIPT, 1, key, String(WINDOW_MS * 2)),
          ADMIN_RATE_LIMIT_REDIS_BOUND_MS,
          'admin rate limit',
        ),
      );
      this.state.recovered();
      return count;
    } catch (error) {
      this.localUntil = Date.now() + ADMIN_RATE_LIMIT_LOCAL_MS;
      this.state.failed(
        error,
        `counting in this process (at most ADMIN_RATE_LIMIT_PER_MINUTE per credential per process) and asking Redis again every ${ADMIN_RATE_LIMIT_LOCAL_MS / 1000} s`,
      );
      return null;
    }
  }
}

function callerIdOf(principal: Principal): string {
  return principal.kind === 'platform' ? 'platform' : principal.credentialId;
}
