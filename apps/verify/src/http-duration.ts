// The HTTP duration histogram of a route served ahead of the framework (verify-handler.ts,
// forward-auth-handler.ts), with the labels the framework's routes get: one series per method and
// status, looked up without building a label object or a string per request.
import type { HistogramSeries, Metrics } from '@keyward/platform';

export type ObserveHttp = (method: string, status: number, seconds: number) => void;

export function httpDurationObserver(metrics: Metrics, route: string): ObserveHttp {
  const byStatus = new Map<number, Map<string, HistogramSeries>>();
  return (method, status, seconds) => {
    let byMethod = byStatus.get(status);
    if (!byMethod) byStatus.set(status, (byMethod = new Map()));
    let series = byMethod.get(method);
    if (!series) byMethod.set(method, (series = metrics.httpRequestDuration.labels({ method, route, status_code: String(status) })));
    series.observe(seconds);
  };
}
