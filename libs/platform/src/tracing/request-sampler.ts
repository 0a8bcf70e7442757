// The sampling decision of the verify service's hot routes (docs/operations.md, Tracing): made
// before any span exists, from the incoming `traceparent` and OTEL_TRACES_SAMPLER /
// OTEL_TRACES_SAMPLER_ARG with OpenTelemetry's meanings. Plain TypeScript, nothing of OpenTelemetry
// loaded: an unsampled request costs a header look-up and at most a Math.random(), no span object,
// no id and no context.

/** Whether a request is to be traced, from its `traceparent` header (undefined when absent). */
export type RequestSampler = (traceparent: string | undefined) => boolean;

/** What a valid W3C `traceparent` says of the caller's span. */
export interface Traceparent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

/** version-traceid-parentid-flags, lower-case hex; a version above 00 may be followed by `-` and more. */
const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/**
 * The caller's span in a W3C `traceparent` header, or null when the header is not a valid one (as
 * OpenTelemetry's propagator reads it: version ff, a version 00 with more after its flags, and
 * all-zero ids are invalid; spaces around it are allowed).
 */
export function parseTraceparent(header: string | undefined): Traceparent | null {
  if (header === undefined) return null;
  const match = TRACEPARENT.exec(header.trim());
  if (match === null) return null;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return null;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

const always: RequestSampler = () => true;
const never: RequestSampler = () => false;

/**
 * The 32 bits OpenTelemetry's TraceIdRatioBased sampler compares with the ratio: the trace id's four
 * 8-digit words XORed. A span of a trace another service started is kept or not by its trace id,
 * as every service of the trace using that sampler decides it.
 */
function traceIdBits(traceId: string): number {
  let bits = 0;
  for (let i = 0; i < 32; i += 8) bits = (bits ^ parseInt(traceId.slice(i, i + 8), 16)) >>> 0;
  return bits;
}

function ratioSampler(ratio: number): RequestSampler {
  if (ratio >= 1) return always;
  if (ratio <= 0) return never;
  const upperBound = Math.floor(ratio * 0xffffffff);
  return (traceparent) => {
    const parent = traceparent === undefined ? null : parseTraceparent(traceparent);
    // No trace yet: its id is made only once the request is sampled, so a draw decides.
    return parent === null ? Math.random() < ratio : traceIdBits(parent.traceId) < upperBound;
  };
}

/** A valid parent decides by its sampled flag; no parent, or an invalid one, leaves it to `root`. */
function parentBased(root: RequestSampler): RequestSampler {
  return (traceparent) => {
    if (traceparent === undefined) return root(undefined);
    const parent = parseTraceparent(traceparent);
    return parent === null ? root(traceparent) : parent.sampled;
  };
}

/** OTEL_TRACES_SAMPLER_ARG as a ratio: 1 when unset, not a number or outside [0, 1], as OpenTelemetry's SDK reads it. */
function ratioOf(env: NodeJS.ProcessEnv): number {
  const text = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  if (!text) return 1;
  const ratio = Number(text);
  return Number.isNaN(ratio) || ratio < 0 || ratio > 1 ? 1 : ratio;
}

/**
 * The sampler OTEL_TRACES_SAMPLER names: `always_on`, `always_off`, `traceidratio`,
 * `parentbased_always_on`, `parentbased_always_off` or `parentbased_traceidratio`, the ratio being
 * OTEL_TRACES_SAMPLER_ARG. Unset, or a name it does not know: `parentbased_always_on`, the
 * specification's default. A decision by ratio is the trace id's, as OpenTelemetry's
 * TraceIdRatioBased sampler makes it, for a request that names a trace; for one that starts a trace
 * it is `Math.random() < ratio` (the trace id is only made once the request is sampled).
 */
export function requestSamplerFromEnv(env: NodeJS.ProcessEnv = process.env): RequestSampler {
  switch (env.OTEL_TRACES_SAMPLER?.trim().toLowerCase()) {
    case 'always_on':
      return always;
    case 'always_off':
      return never;
    case 'traceidratio':
      return ratioSampler(ratioOf(env));
    case 'parentbased_always_off':
      return parentBased(never);
    case 'parentbased_traceidratio':
      return parentBased(ratioSampler(ratioOf(env)));
    default:
      return parentBased(always);
  }
}
