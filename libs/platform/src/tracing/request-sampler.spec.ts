import { randomBytes } from 'node:crypto';
import { parseTraceparent, requestSamplerFromEnv } from './request-sampler';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const SAMPLED = `00-${TRACE_ID}-${SPAN_ID}-01`;
const UNSAMPLED = `00-${TRACE_ID}-${SPAN_ID}-00`;

describe('parseTraceparent', () => {
  it('reads the ids and the sampled flag of a valid header', () => {
    expect(parseTraceparent(SAMPLED)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true });
    expect(parseTraceparent(UNSAMPLED)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: false });
    // Only the lowest bit of the flags is `sampled`.
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-03`)?.sampled).toBe(true);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-02`)?.sampled).toBe(false);
    // Spaces around it, and what a later version adds after the flags, are allowed.
    expect(parseTraceparent(` ${SAMPLED} `)?.sampled).toBe(true);
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-01-more`)?.sampled).toBe(true);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['upper-case hex', SAMPLED.toUpperCase()],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['an all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['version 00 with more after its flags', `${SAMPLED}-more`],
    ['two headers joined', `${SAMPLED}, ${SAMPLED}`],
  ])('is null for a header that is %s', (_what, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });
});

describe('requestSamplerFromEnv', () => {
  const INVALID = `00-${TRACE_ID}-${SPAN_ID}-0`;
  const decisions = (env: NodeJS.ProcessEnv) => {
    const sample = requestSamplerFromEnv(env);
    return { sampled: sample(SAMPLED), unsampled: sample(UNSAMPLED), invalid: sample(INVALID), none: sample(undefined) };
  };

  it('is parentbased_always_on when unset, or when it names no sampler: the parent decides, else every request', () => {
    const expected = { sampled: true, unsampled: false, invalid: true, none: true };
    expect(decisions({})).toEqual(expected);
    expect(decisions({ OTEL_TRACES_SAMPLER: 'sometimes' })).toEqual(expected);
    expect(decisions({ OTEL_TRACES_SAMPLER: ' ParentBased_Always_On ' })).toEqual(expected);
  });

  it('follows the parent’s flag with parentbased_always_off, and samples no request without a valid parent', () => {
    expect(decisions({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' })).toEqual({
      sampled: true,
      unsampled: false,
      invalid: false,
      none: false,
    });
  });

  it('follows the parent’s flag with parentbased_traceidratio, and decides by the ratio without a valid parent', () => {
    expect(decisions({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' })).toEqual({
      sampled: true,
      unsampled: false,
      invalid: false,
      none: false,
    });
    expect(decisions({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' })).toEqual({
      sampled: true,
      unsampled: false,
      invalid: true,
      none: true,
    });
  });

  it('ignores the parent’s flag with always_on, always_off and traceidratio', () => {
    const all = { sampled: true, unsampled: true, invalid: true, none: true };
    const none = { sampled: false, unsampled: false, invalid: false, none: false };
    expect(decisions({ OTEL_TRACES_SAMPLER: 'always_on' })).toEqual(all);
    expect(decisions({ OTEL_TRACES_SAMPLER: 'always_off' })).toEqual(none);
    expect(decisions({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' })).toEqual(all);
    expect(decisions({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' })).toEqual(none);
  });

  it.each([undefined, '', 'half', '-0.5', '1.5'])('takes a ratio of 1 when OTEL_TRACES_SAMPLER_ARG is %j, as the SDK does', (arg) => {
    const sample = requestSamplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: arg });
    expect(sample(undefined)).toBe(true);
  });

  it('samples a root request when Math.random() falls below the ratio, and only then', () => {
    const sample = requestSamplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' });
    const random = jest.spyOn(Math, 'random');
    try {
      random.mockReturnValueOnce(0.0099);
      expect(sample(undefined)).toBe(true);
      random.mockReturnValueOnce(0.01);
      expect(sample(undefined)).toBe(false);
      // A valid parent decides without drawing.
      random.mockClear();
      expect(sample(SAMPLED)).toBe(true);
      expect(random).not.toHaveBeenCalled();
    } finally {
      random.mockRestore();
    }
  });

  it('decides a request of a caller’s trace by its trace id with traceidratio, as OpenTelemetry’s TraceIdRatioBased sampler does', () => {
    // The SDK's own sampler, as the admin API and the worker use it (sdk-node brings sdk-trace).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the reference, only in this test
    const { TraceIdRatioBasedSampler } = require('@opentelemetry/sdk-trace') as {
      TraceIdRatioBasedSampler: new (ratio: number) => { shouldSample: (context: unknown, traceId: string) => { decision: number } };
    };
    const random = jest.spyOn(Math, 'random');
    try {
      for (const ratio of [0.01, 0.3, 0.5, 0.99]) {
        const sample = requestSamplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: String(ratio) });
        const reference = new TraceIdRatioBasedSampler(ratio);
        let kept = 0;
        for (let i = 0; i < 2_000; i++) {
          const traceId = randomBytes(16).toString('hex');
          const decided = sample(`00-${traceId}-${SPAN_ID}-0${i % 2}`);
          expect(decided).toBe(reference.shouldSample(undefined, traceId).decision === 2);
          if (decided) kept++;
        }
        expect(Math.abs(kept / 2_000 - ratio)).toBeLessThan(0.05);
      }
      // The trace id decides: no draw.
      expect(random).not.toHaveBeenCalled();
    } finally {
      random.mockRestore();
    }
  });
});
