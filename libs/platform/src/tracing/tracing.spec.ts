import { currentTraceparent, inSpan, tracingActive, tracingConfigured } from './tracing';

describe('tracingConfigured', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'false' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'otlp' }, true],
  ])('%j: %s', (env, expected) => {
    expect(tracingConfigured(env)).toBe(expected);
  });
});

describe('with tracing off', () => {
  it('carries no trace and runs the work as it is, its failure included', async () => {
    expect(tracingActive()).toBe(false);
    expect(currentTraceparent()).toBeNull();
    await expect(inSpan('work', { parent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, async () => 42)).resolves.toBe(42);
    await expect(
      inSpan('work', {}, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});
