import { Readiness } from '@keyward/platform';
import { Injectable, type OnModuleInit } from '@nestjs/common';

/**
 * What /readyz means on the admin port (docs/failure-modes.md): PostgreSQL is needed (every
 * request but the operations routes reads or writes it, and its credentials live there); Redis is
 * not: without it the admin API still serves everything but the job endpoints (503), counting its
 * rate limit in the process. So a Redis outage leaves it ready (status `degraded`).
 */
@Injectable()
export class AdminReadiness implements OnModuleInit {
  constructor(private readonly readiness: Readiness) {}

  onModuleInit(): void {
    this.readiness.setRequired('redis', false);
  }
}
