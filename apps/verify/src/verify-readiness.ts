import { Readiness } from '@keyward/platform';
import { Injectable, type OnModuleInit } from '@nestjs/common';

/**
 * What /readyz means on the verify port (docs/failure-modes.md): ready unless the process is
 * stopping. A verify process serves through an outage of PostgreSQL (keys and verifiers it has
 * cached, past their safety TTL) and of Redis (keys without limits; keys with limits per
 * VERIFY_LIMITS_ON_REDIS_DOWN), and every verify process shares the same PostgreSQL and Redis: a
 * readiness that failed with them would take every instance out of the load balancer at once, and
 * turn a partial outage into a total one. Their state is still reported (status `degraded`).
 */
@Injectable()
export class VerifyReadiness implements OnModuleInit {
  constructor(private readonly readiness: Readiness) {}

  onModuleInit(): void {
    this.readiness.setRequired('postgres', false);
    this.readiness.setRequired('redis', false);
  }
}
