// Tracing with OpenTelemetry (docs/operations.md, Tracing). Each process's main.ts calls
// startTracing first, before anything loads node:http, pg or ioredis, since the instrumentations
// hook those modules as they load. It starts only when an OTLP endpoint is set; without one nothing
// of OpenTelemetry is even loaded (the packages are required here, lazily) and every function below
// is a plain call of the work it is given, so the hot path costs nothing with tracing off.
//
// The verify service starts it `handMade`: no instrumentation and no context manager, whose cost
// every request would pay, sampled or not. Its hot routes decide themselves whether a request is
// sampled (request-sampler.ts) and, only then, make its SERVER span by hand (requestTracer).
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
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseTraceparent, requestSamplerFromEnv, type RequestSampler } from './request-sampler';

interface ActiveTracing {
  api: typeof Api;
  sdk: SdkNode.NodeSDK;
  tracer: Api.Tracer;
  /** The hot routes' hand-made spans: set when tracing started `handMade` (the verify service). */
  requests: RequestTracer | null;
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

export interface StartTracingOptions {
  /**
   * The verify service's way: no instrumentation (node:http, pg, ioredis, Nest) and no context
   * manager, so that an unsampled request costs nothing but the sampling decision; the hot routes
   * make their spans by hand (requestTracer), for the requests OTEL_TRACES_SAMPLER keeps.
   */
  handMade?: boolean;
}

/**
 * Starts the OpenTelemetry SDK when the environment configures it (see tracingConfigured): traces
 * only, exported over OTLP as OTEL_EXPORTER_OTLP_PROTOCOL says (http/protobuf by default), sampled
 * as OTEL_TRACES_SAMPLER says, under OTEL_SERVICE_NAME or else `serviceName`. Answers whether it
 * started. Must run before the modules it instruments are loaded.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env, options: StartTracingOptions = {}): boolean {
  if (active) return true;
  if (!tracingConfigured(env)) return false;
  if (options.handMade) return startHandMadeTracing(serviceName, env);
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
  active = { api, sdk, tracer: api.trace.getTracer('keyward'), requests: null };
  return true;
}

/**
 * The SDK with no instrumentation, no context manager (each span is given its parent: nothing runs
 * inside a context, so no AsyncLocalStorage is ever entered) and a sampler that keeps every span,
 * since a span is only started for a request the hot route's own sampler kept.
 */
function startHandMadeTracing(serviceName: string, env: NodeJS.ProcessEnv): boolean {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const api = require('@opentelemetry/api') as typeof Api;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const noContext: Api.ContextManager = {
    active: () => api.ROOT_CONTEXT,
    with: (_context, fn, thisArg, ...args) => fn.call(thisArg, ...args),
    bind: (_context, target) => target,
    enable() {
      return this;
    },
    disable() {
      return this;
    },
  };
  const keepEvery: NonNullable<SdkNode.NodeSDKConfiguration['sampler']> = {
    shouldSample: () => ({ decision: api.SamplingDecision.RECORD_AND_SAMPLED }),
    toString: () => 'KeepEverySpanStarted',
  };
  const sdk = new NodeSDK({
    serviceName: namesService(env) ? undefined : serviceName,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
    contextManager: noContext,
    sampler: keepEvery,
  });
  sdk.start();
  const tracer = api.trace.getTracer('keyward');
  active = { api, sdk, tracer, requests: handMadeRequestTracer(api, tracer, requestSamplerFromEnv(env)) };
  return true;
}

/**
 * The SERVER spans of the routes a service answers ahead of the framework (the verify service's
 * POST /v1/verify and /v1/forward-auth), made by hand: see requestTracer.
 */
export interface RequestTracer {
  /**
   * Starts the span of `request` on `route` when the sampler keeps it (the caller's traceparent
   * decides, else OTEL_TRACES_SAMPLER's root decision), its parent the caller's span, and leaves
   * it on `response` for `end`. An unsampled request gets no span, no id and no context.
   */
  start(route: string, request: IncomingMessage, response: ServerResponse): void;
  /**
   * Ends the span of `response`, if it has one, once its answer is written: its status code,
   * the verify code answered (null for a problem), status ERROR for a 5xx.
   */
  end(response: ServerResponse, code: string | null): void;
}

const SPAN = Symbol('keyward.span');

type Traced = ServerResponse & { [SPAN]?: Api.Span };

function handMadeRequestTracer(api: typeof Api, tracer: Api.Tracer, sample: RequestSampler): RequestTracer {
  return {
    start(route, request, response) {
      // node joins a repeated header of a name it does not know into one string.
      const traceparent = request.headers.traceparent as string | undefined;
      if (!sample(traceparent)) return;
      const parent = parseTraceparent(traceparent);
      let parentContext = api.ROOT_CONTEXT;
      if (parent !== null) {
        const tracestate = request.headers.tracestate;
        parentContext = api.trace.setSpanContext(api.ROOT_CONTEXT, {
          traceId: parent.traceId,
          spanId: parent.spanId,
          traceFlags: parent.sampled ? api.TraceFlags.SAMPLED : api.TraceFlags.NONE,
          isRemote: true,
          traceState: typeof tracestate === 'string' ? api.createTraceState(tracestate) : undefined,
        });
      }
      const method = request.method ?? 'GET';
      (response as Traced)[SPAN] = tracer.startSpan(
        `${method} ${route}`,
        {
          kind: api.SpanKind.SERVER,
          attributes: { 'http.request.method': method, 'http.route': route, 'url.path': pathOf(request.url) },
        },
        parentContext,
      );
    },
    end(response, code) {
      const span = (response as Traced)[SPAN];
      if (span === undefined) return;
      (response as Traced)[SPAN] = undefined;
      const status = response.statusCode;
      span.setAttribute('http.response.status_code', status);
      if (code !== null) span.setAttribute('keyward.verify.code', code);
      if (status >= 500) {
        span.setAttribute('error.type', String(status));
        span.setStatus({ code: api.SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}

/**
 * The hand-made spans of the hot routes: null unless tracing started `handMade` (with tracing off,
 * the routes choose their untraced functions once, and a request pays nothing for tracing).
 */
export function requestTracer(): RequestTracer | null {
  return active?.requests ?? null;
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
