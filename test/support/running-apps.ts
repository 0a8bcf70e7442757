// Starts the real services in the test process, listening on ephemeral ports, exactly as main.ts
// builds them. What they log goes to the test's own destination if it gives one, else to the test
// environment's sink, which shows it only if a test fails (support/log-capture-environment.ts).
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createAdminApiApp } from '../../apps/admin-api/src/admin-api.app';
import { createVerifyApp } from '../../apps/verify/src/verify.app';
import { createWorkerApp } from '../../apps/worker/src/worker.app';
import { WorkerOpsServer } from '../../apps/worker/src/worker-ops-server';
import { inProcessLogSink } from './log-sink';
import { testConfig } from './test-config';

export interface RunningHttpApp {
  url: string;
  app: NestFastifyApplication;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  logDestination?: DestinationStream;
}

function destinationOf(options: StartOptions): DestinationStream | undefined {
  return options.logDestination ?? inProcessLogSink();
}

async function listen(app: NestFastifyApplication): Promise<RunningHttpApp> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, app, close: () => app.close() };
}

export async function startAdminApi(options: StartOptions = {}): Promise<RunningHttpApp> {
  return listen(await createAdminApiApp({ config: testConfig(options.env), logDestination: destinationOf(options) }));
}

export async function startVerify(options: StartOptions = {}): Promise<RunningHttpApp> {
  return listen(await createVerifyApp({ config: testConfig(options.env), logDestination: destinationOf(options) }));
}

export async function startWorker(
  options: StartOptions = {},
): Promise<{ app: INestApplicationContext; url: string; close(): Promise<void> }> {
  const app = await createWorkerApp({ config: testConfig(options.env), logDestination: destinationOf(options) });
  const port = app.get(WorkerOpsServer).port;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
