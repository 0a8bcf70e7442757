import { collectDefaultMetrics, Registry } from 'prom-client';
import { FixedBucketHistogram } from './fixed-bucket-histogram';

/**
 * One registry per application instance (not prom-client's global one), so several apps in one
 * process, as in the e2e tests, keep separate figures.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequestDuration: FixedBucketHistogram<'method' | 'route' | 'status_code'>;
  /**
   * What /metrics answers: this process's registry, unless the process is one of several behind
   * one port (VERIFY_WORKERS), which answer for all of them together (see useExposition).
   */
  private exposition: () => Promise<string> = () => this.registry.metrics();

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequestDuration = new FixedBucketHistogram({
      name: 'http_request_duration_seconds',
      help: 'Server time of HTTP requests, by route template and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }

  /** The text /metrics answers with. */
  text(): Promise<string> {
    return this.exposition();
  }

  useExposition(exposition: () => Promise<string>): void {
    this.exposition = exposition;
  }
}
