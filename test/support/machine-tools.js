// Some suites need servers and tools the machine provides: a Redis Cluster is started from
// redis-server and redis-cli, PgBouncer from pgbouncer, the nginx gateway from nginx; the operations
// pack's suites need Prometheus's promtool, and PostgreSQL's pg_dump and pg_restore; the bench's
// load generator is wrk. CI installs
// them (.ci/run) and there a missing one fails
// its suite with a message naming the package. A developer's `npm test` on a machine without them
// leaves that suite out, and says loudly why and how to get it, so that `npm ci && npm test` still
// passes on a fresh machine. Read by jest.config.js (plain JavaScript: jest loads its config as is).
const { accessSync, constants } = require('node:fs');
const { delimiter, join } = require('node:path');

const SYSTEM_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** The path of `binary` on PATH or in the system's sbin folders (Debian puts pgbouncer there), else null. */
function whereOnMachine(binary) {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SYSTEM_DIRS]) {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return join(dir, binary);
    } catch {
      // not here
    }
  }
  return null;
}

/** The path of `binary`, or an error that says what the suite needs it for and which package brings it. */
function requireOnMachine(binary, purpose, debianPackage) {
  const found = whereOnMachine(binary);
  if (found !== null) return found;
  throw new Error(
    `${binary} is not installed (looked on PATH and in /usr/sbin): ${purpose}. ` +
      `Install Debian's package: apt-get install ${debianPackage} (.ci/run does so when it is missing).`,
  );
}

const SUITES = [
  {
    path: 'test/scale/redis-cluster.e2e-spec.ts',
    binaries: ['redis-server', 'redis-cli'],
    install: 'apt-get install redis-server (brings redis-cli; macOS: brew install redis)',
  },
  { path: 'test/scale/pgbouncer.e2e-spec.ts', binaries: ['pgbouncer'], install: 'apt-get install pgbouncer' },
  { path: 'test/gateways-nginx.e2e-spec.ts', binaries: ['nginx'], install: 'apt-get install nginx (macOS: brew install nginx)' },
  { path: 'test/examples-nginx.e2e-spec.ts', binaries: ['nginx'], install: 'apt-get install nginx (macOS: brew install nginx)' },
  { path: 'test/ops-pack.e2e-spec.ts', binaries: ['promtool'], install: 'apt-get install prometheus (brings promtool)' },
  { path: 'test/ops-backup-restore.e2e-spec.ts', binaries: ['pg_dump', 'pg_restore'], install: 'apt-get install postgresql-client' },
  { path: 'test/bench-wrk-load.e2e-spec.ts', binaries: ['wrk'], install: 'apt-get install wrk (macOS: brew install wrk)' },
];

/** Paths of the suites this machine cannot run, outside CI only; each announced on stderr. */
function suitesWithoutTheirTools() {
  if (process.env.CI) return [];
  return SUITES.flatMap(({ path, binaries, install }) => {
    const missing = binaries.filter((binary) => whereOnMachine(binary) === null);
    if (missing.length === 0) return [];
    process.stderr.write(`\n[keyward tests] LEFT OUT ${path}: ${missing.join(' and ')} not found on this machine. Install: ${install}\n\n`);
    return [path];
  });
}

module.exports = { requireOnMachine, suitesWithoutTheirTools, whereOnMachine };
