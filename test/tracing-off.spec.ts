// docs/operations.md, Tracing: with no OTLP endpoint set, nothing of OpenTelemetry's SDK is loaded
// and nothing is hooked, so the verify hot path runs as it did before tracing existed. A process of
// its own (as a service runs) starts tracing as a main.ts does, loads the verify service and reports
// which OpenTelemetry packages it loaded, whether node:http was patched and whether a context set
// with context.with() reaches a later callback (the work of a context manager); with an endpoint
// set, the same process shows the SDK loaded and node:http hooked as the admin API and the worker
// start it, and as the verify service starts it (hand-made) neither instrumentation nor context.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

interface Loaded {
  started: boolean;
  packages: string[];
  httpHooked: boolean;
  contextCarried: boolean;
}

/** The probe, starting tracing with `options` (startTracing's third argument). */
const probe = (options: { handMade?: boolean }) => `
const { startTracing } = require('./libs/platform/src/tracing/tracing.ts');
const started = startTracing('keyward-probe', process.env, ${JSON.stringify(options)});
require('./apps/verify/src/verify.app.ts');
const http = require('node:http');
const packages = new Set();
for (const file of Object.keys(require.cache)) {
  const found = /node_modules\\/(@opentelemetry\\/[^/]+)/.exec(file);
  if (found) packages.add(found[1]);
}
const api = require('@opentelemetry/api');
const key = api.createContextKey('probe');
api.context.with(api.context.active().setValue(key, true), () =>
  setImmediate(() => {
    const contextCarried = api.context.active().getValue(key) === true;
    process.stdout.write(
      JSON.stringify({ started, packages: [...packages].sort(), httpHooked: '__wrapped' in http.Server.prototype.emit, contextCarried }),
    );
    process.exit(0);
  }),
);
`;

function loadVerify(env: Record<string, string>, options: { handMade?: boolean } = {}): Loaded {
  const output = execFileSync(process.execPath, ['-r', join(ROOT, 'test', 'support', 'ts-register.js'), '-e', probe(options)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(output) as Loaded;
}

describe('tracing off', () => {
  it('loads no OpenTelemetry SDK, instrumentation or exporter, and hooks nothing, without an OTLP endpoint', () => {
    const loaded = loadVerify({});
    expect(loaded.started).toBe(false);
    // The API alone, which prom-client loads anyway: with no SDK registered every call of it is a no-op.
    expect(loaded.packages.filter((name) => name !== '@opentelemetry/api')).toEqual([]);
    expect(loaded.httpHooked).toBe(false);
    expect(loaded.contextCarried).toBe(false);
  }, 60_000);

  it('is off with an endpoint when OTEL_SDK_DISABLED=true', () => {
    expect(loadVerify({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' })).toMatchObject({
      started: false,
      httpHooked: false,
    });
  }, 60_000);

  it('loads the SDK, hooks node:http and carries a context once an endpoint is set, as the admin API and the worker start it', () => {
    // Nothing is exported: the probe exits before the first batch is due.
    const loaded = loadVerify({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_BSP_SCHEDULE_DELAY: '60000' });
    expect(loaded.started).toBe(true);
    expect(loaded.packages).toEqual(expect.arrayContaining(['@opentelemetry/sdk-node', '@opentelemetry/instrumentation-http']));
    expect(loaded.httpHooked).toBe(true);
    expect(loaded.contextCarried).toBe(true);
  }, 60_000);

  it('loads the SDK but no instrumentation, hooks nothing and carries no context as the verify service starts it (hand-made)', () => {
    const loaded = loadVerify(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_BSP_SCHEDULE_DELAY: '60000' },
      { handMade: true },
    );
    expect(loaded.started).toBe(true);
    expect(loaded.packages).toContain('@opentelemetry/sdk-node');
    expect(loaded.packages.filter((name) => name.startsWith('@opentelemetry/instrumentation-'))).toEqual([]);
    expect(loaded.httpHooked).toBe(false);
    expect(loaded.contextCarried).toBe(false);
  }, 60_000);
});
