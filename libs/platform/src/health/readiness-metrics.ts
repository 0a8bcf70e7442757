import { Gauge } from 'prom-client';
import type { Metrics } from '../metrics/metrics';
import type { Readiness } from './readiness';

/**
 * `keyward_readiness_check_up{check}`: each readiness check (postgres, redis, and the service's
 * own) as this process sees it when scraped, 1 up, 0 down; what the PostgreSQL and Redis alerts
 * read (docs/runbooks.md). With several verify processes behind one port, the lowest wins: one
 * process that cannot reach a store is enough to say so.
 */
export function exposeReadinessChecks(metrics: Metrics, readiness: Readiness): void {
  new Gauge({
    name: 'keyward_readiness_check_up',
    help: 'Readiness checks of this process when scraped (1 up, 0 down), by check',
    labelNames: ['check'],
    registers: [metrics.registry],
    aggregator: 'min',
    async collect(this: Gauge<'check'>) {
      const { checks } = await readiness.check();
      this.reset();
      for (const [check, state] of Object.entries(checks)) this.set({ check }, state === 'up' ? 1 : 0);
    },
  });
}
