// The container health probe: `node docker/healthcheck.js [path]` (default /healthz) asks the app
// this container runs (APP) for `path` on its own port and exits 0 on a 200, else 1. The port comes
// from the apps' own configuration (dist/, built from libs/platform/src/config/keyward-config.ts),
// so ADMIN_PORT, VERIFY_PORT, WORKER_PORT and their defaults cannot drift from what the app listens on.
// Plain JavaScript: it runs in the image next to dist/, with no build step of its own.
'use strict';
const { loadKeywardConfig } = require('../dist/libs/platform/src/config/keyward-config');

const path = process.argv[2] || '/healthz';
const config = loadKeywardConfig(process.env);
const port = { 'admin-api': config.adminPort, verify: config.verifyPort, worker: config.workerPort }[process.env.APP];
if (port === undefined) {
  process.stderr.write('healthcheck: APP must be admin-api, verify or worker\n');
  process.exit(1);
}
// The app listens on HOST: 0.0.0.0 in the image, which loopback reaches from inside the container.
const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`, { signal: AbortSignal.timeout(2_000) }).then(
  (response) => process.exit(response.status === 200 ? 0 : 1),
  () => process.exit(1),
);
