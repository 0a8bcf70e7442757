import type { DataSource } from 'typeorm';
import { withTimeout } from '../async/with-timeout';
import { masterConnections, type RedisClient } from '../redis/redis-connection';

export type CheckState = 'up' | 'down';

/**
 * `ready`: every check is up. `degraded`: a check this process can serve without is down (it
 * still answers 200, so that a balancer keeps it: see docs/failure-modes.md). `not_ready`: a
 * check it needs is down, or it is stopping (503).
 */
export type ReadinessStatus = 'ready' | 'degraded' | 'not_ready';

export interface ReadinessReport {
  ready: boolean;
  status: ReadinessStatus;
  checks: Record<string, CheckState>;
}

/** Resolves (to anything but false) when up; rejects, resolves false or takes too long when down. */
export type ReadinessProbe = () => Promise<unknown>;

interface Check {
  probe: ReadinessProbe;
  required: boolean;
}

const CHECK_TIMEOUT_MS = 1000;

/**
 * Whether this process should be sent traffic: the checks it needs answer within a second and it
 * is not stopping. PostgreSQL and Redis are checked everywhere; each service decides which of its
 * checks it needs (setRequired) and adds its own (addCheck). What /readyz means on each port is
 * in docs/failure-modes.md.
 */
export class Readiness {
  private stopping = false;
  private readonly checks = new Map<string, Check>();

  constructor(dataSource: DataSource, redis: RedisClient) {
    this.addCheck('postgres', () => dataSource.query('SELECT 1'));
    // Every master, in a cluster: one that is down leaves its slots' keys without a home.
    this.addCheck('redis', async () => {
      const masters = masterConnections(redis);
      if (masters.length === 0) throw new Error('no Redis master known');
      await Promise.all(masters.map((master) => master.ping()));
    });
  }

  /** Adds (or replaces) a check; a required one that is down makes the process not ready. */
  addCheck(name: string, probe: ReadinessProbe, options: { required?: boolean } = {}): void {
    this.checks.set(name, { probe, required: options.required ?? true });
  }

  /** Whether the process needs `name` to serve (true) or serves, degraded, without it (false). */
  setRequired(name: string, required: boolean): void {
    const check = this.checks.get(name);
    if (!check) throw new Error(`No readiness check named ${name}`);
    check.required = required;
  }

  /** Called first on shutdown, so load balancers stop sending traffic before connections close. */
  markStopping(): void {
    this.stopping = true;
  }

  /** Whether a graceful stop has begun. */
  get isStopping(): boolean {
    return this.stopping;
  }

  async check(): Promise<ReadinessReport> {
    const entries = [...this.checks.entries()];
    const states = await Promise.all(
      entries.map(async ([, { probe }]): Promise<CheckState> => {
        try {
          return (await withTimeout(probe(), CHECK_TIMEOUT_MS)) === false ? 'down' : 'up';
        } catch {
          return 'down';
        }
      }),
    );
    const checks: Record<string, CheckState> = {};
    let ready = !this.stopping;
    let degraded = false;
    entries.forEach(([name, { required }], index) => {
      checks[name] = states[index];
      if (states[index] === 'down') {
        if (required) ready = false;
        else degraded = true;
      }
    });
    checks.process = this.stopping ? 'down' : 'up';
    return { ready, status: !ready ? 'not_ready' : degraded ? 'degraded' : 'ready', checks };
  }
}
