// Tracing with OpenTelemetry (docs/operations.md, Tracing). Each process's main.ts calls
// startTracing first, before anything loads node:http, pg or ioredis, since the instrumentations
// hook those modules as they load. It starts only when an OTLP endpoint is set; without one nothing
// of OpenTelemetry is even loaded (the packages are required here, lazily) and every function below
// is a plain call of the work it is given, so the hot path costs nothing with tracing off.
//
// The context of a change crosses processes as a W3C `traceparent`: in a job's data and in a
// webhook delivery's row, both written by the admin API, so that the worker's span for them is a
// child of the request that caused them, and the delivery's request carries it on to the receiver.
import type * as Api from '@opentelemetry/api';
import type * as HttpInstrumentationModule from '@opentelemetry/instrumentation-http';
import type * as IORedisInstrumentationModule from '@opentelemetry/instrumentation-ioredis';
import type * as NestInstrumentationModule from '@opentelemetry/instrumentation-nestjs-core';
import type * as PgInstrumentationModule from '@opentelemetry/instrumentation-pg';
import type * as SdkNode from '@opentelemetry/sdk-node';

interface ActiveTracing {
  api: typeof Api;
  sdk: SdkNode.NodeSDK;
  tracer: Api.Tracer;
}

let active: ActiveTracing | null = null;

/** Probes and scrapes: asked every few seconds, they would bury the traces worth reading. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** What a job's data or a delivery's row carries of the trace that caused it. */
export interface TraceCarrier {
  traceparent?: string | null;
}

/**
 * Whether the environment asks for traces: an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), and neither OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none.
 */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return false;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((name) => name.trim());
  return !exporters.includes('none');
}

function namesService(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_SERVICE_NAME?.trim()) || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
}

function pathOf(url: string | undefined): string {
  const path = url ?? '/';
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

/**
 * Starts the OpenTelemetry SDK when the environment configures it (see tracingConfigured): traces
 * only, exported over OTLP as OTEL_EXPORTER_OTLP_PROTOCOL says (http/protobuf by default), sampled
 * as OTEL_TRACES_SAMPLER says, under OTEL_SERVICE_NAME or else `serviceName`. Answers whether it
 * started. Must run before the modules it instruments are loaded.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (active) return true;
  if (!tracingConfigured(env)) return false;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const api = require('@opentelemetry/api') as typeof Api;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof HttpInstrumentationModule;
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof PgInstrumentationModule;
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof IORedisInstrumentationModule;
  const { NestInstrumentation } = require('@opentelemetry/instrumentation-nestjs-core') as typeof NestInstrumentationModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    serviceName: namesService(env) ? undefined : serviceName,
    // Traces only: metrics are Prometheus's (/metrics), logs go to stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has(pathOf(request.url)) }),
      // Only inside a traced operation: BullMQ's polling and the worker's claims would otherwise
      // each start a trace of their own, several a second.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new NestInstrumentation(),
    ],
  });
  sdk.start();
  active = { api, sdk, tracer: api.trace.getTracer('keyward') };
  return true;
}

/** Whether startTracing started the SDK in this process. */
export function tracingActive(): boolean {
  return active !== null;
}

/** Sends the spans not yet exported and stops the SDK (a graceful stop); nothing when tracing is off. */
export async function stopTracing(): Promise<void> {
  const stopping = active;
  active = null;
  await stopping?.sdk.shutdown();
}

/** The W3C traceparent of the current span, to carry into a job or a delivery; null with tracing off or outside a span. */
export function currentTraceparent(): string | null {
  if (!active) return null;
  const carrier: Record<string, string> = {};
  active.api.propagation.inject(active.api.context.active(), carrier);
  return carrier.traceparent ?? null;
}

export interface SpanOptions {
  /** The traceparent of the operation that caused this one (a job's, a delivery's); else the current context. */
  parent?: string | null;
  /** `consumer` for a job taken from a queue; `internal` by default. */
  kind?: 'internal' | 'consumer';
  attributes?: Record<string, string | number | boolean>;
}

/**
 * Runs `work` in a span named `name`, the child of `options.parent` when given: its failure marks
 * the span as an error and is rethrown. With tracing off, just runs `work`.
 */
export function inSpan<T>(name: string, options: SpanOptions, work: () => Promise<T>): Promise<T> {
  if (!active) return work();
  const { api, tracer } = active;
  const parentContext = options.parent ? api.propagation.extract(api.ROOT_CONTEXT, { traceparent: options.parent }) : api.context.active();
  const kind = options.kind === 'consumer' ? api.SpanKind.CONSUMER : api.SpanKind.INTERNAL;
  return tracer.startActiveSpan(name, { kind, attributes: options.attributes }, parentContext, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: api.SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
