import type { DataSource } from 'typeorm';
import { withTimeout } from '../async/with-timeout';
import { masterConnections, type RedisClient } from '../redis/redis-connection';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'up' | 'down'>;
}

const CHECK_TIMEOUT_MS = 1000;

/** Whether this process can serve: its dependencies answer within a second and it is not stopping. */
export class Readiness {
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisClient,
  ) {}

  /** Called first on shutdown, so load balancers stop sending traffic before connections close. */
  markStopping(): void {
    this.stopping = true;
  }

  /** Whether a graceful stop has begun. */
  get isStopping(): boolean {
    return this.stopping;
  }

  async check(): Promise<ReadinessReport> {
    const probe = async (work: () => Promise<unknown>): Promise<'up' | 'down'> => {
      try {
        await withTimeout(work(), CHECK_TIMEOUT_MS);
        return 'up';
      } catch {
        return 'down';
      }
    };
    const [postgres, redis] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      // Every master, in a cluster: one that is down leaves its slots' keys without a home.
      probe(async () => {
        const masters = masterConnections(this.redis);
        if (masters.length === 0) throw new Error('no Redis master known');
        await Promise.all(masters.map((master) => master.ping()));
      }),
    ]);
    const checks = { postgres, redis, process: this.stopping ? ('down' as const) : ('up' as const) };
    return { ready: Object.values(checks).every((state) => state === 'up'), checks };
  }
}
