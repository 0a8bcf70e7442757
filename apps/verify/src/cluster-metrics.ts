// VERIFY_WORKERS > 1: the processes share one port, so a scrape of /metrics lands on any one of
// them. Each answers for all: it asks the primary, which gathers every process's registry over
// node:cluster's IPC channel and sums them (prom-client's AggregatorRegistry: counters and
// histograms add up, so verifications, cache hits and durations are the service's own).
import type { Metrics } from '@keyward/platform';
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry } from 'prom-client';

const REQUEST = 'keyward:cluster-metrics-request';
const RESPONSE = 'keyward:cluster-metrics-response';
const TIMEOUT_MS = 5_000;

interface MetricsRequest {
  type: typeof REQUEST;
  id: string;
}

interface MetricsResponse {
  type: typeof RESPONSE;
  id: string;
  text?: string;
  error?: string;
}

/** In the primary: answers each worker's request with every worker's metrics, summed. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: MetricsRequest) => {
    if (message?.type !== REQUEST) return;
    const reply = (response: Omit<MetricsResponse, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, ...response } satisfies MetricsResponse);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: Error) => reply({ error: error.message }),
    );
  });
}

/**
 * In a worker: lets the primary collect this process's registry, and makes /metrics answer with
 * the whole service's figures. Should the primary not answer, /metrics answers with this process's
 * own, saying so in a comment line, rather than failing the scrape.
 */
export function exposeClusterMetrics(metrics: Metrics): void {
  AggregatorRegistry.setRegistries([metrics.registry]);
  new AggregatorRegistry(); // installs prom-client's answer to the primary's collection requests
  metrics.useExposition(
    () =>
      new Promise<string>((resolve) => {
        const id = randomUUID();
        const fallBack = async (reason: string) => {
          process.off('message', onMessage);
          resolve(`# keyward: ${reason}; this process's figures only\n${await metrics.registry.metrics()}`);
        };
        const timer = setTimeout(() => void fallBack('the verify primary did not answer'), TIMEOUT_MS);
        const onMessage = (message: MetricsResponse) => {
          if (message?.type !== RESPONSE || message.id !== id) return;
          clearTimeout(timer);
          if (message.text === undefined) return void fallBack(`aggregation failed (${message.error ?? 'no text'})`);
          process.off('message', onMessage);
          resolve(message.text);
        };
        process.on('message', onMessage);
        process.send?.({ type: REQUEST, id } satisfies MetricsRequest);
      }),
  );
}
