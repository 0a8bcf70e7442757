import { Global, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { DataSource } from 'typeorm';
import { KEYWARD_CONFIG } from './config/config.tokens';
import type { KeywardConfig } from './config/keyward-config';
import { DatabaseModule } from './database/database.module';
import { OperationsController } from './health/operations.controller';
import { Readiness } from './health/readiness';
import { exposeReadinessChecks } from './health/readiness-metrics';
import { accessErrorFields, accessLogLevel } from './logging/access-log';
import { createRootLogger, redactRequest } from './logging/logger';
import { Metrics } from './metrics/metrics';
import { REDIS_CLIENT } from './redis/redis.tokens';
import type { RedisClient } from './redis/redis-connection';
import { RedisModule } from './redis/redis.module';
import { KeyedHasher } from './secrets/keyed-hash';
import { SecretBox } from './secrets/secret-box';
import { InvalidationPublisher } from './redis/invalidation';
import { stopTracing } from './tracing/tracing';

export interface PlatformOptions {
  config: KeywardConfig;
  /** Service name in logs and metrics: admin-api, verify or worker. */
  service: string;
  /** Where log lines go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
  /** Paths served without an access-log line (the verify hot path logs nothing per request). */
  quietPaths?: string[];
  /** Whether to mount /healthz, /readyz and /metrics as Nest routes (the worker serves its own). */
  withOperationsRoutes?: boolean;
  /**
   * Whether Nest routes get pino-http access logging (default true). Its middleware runs each
   * request inside an AsyncLocalStorage, and once one has been entered, Node 20 keeps async hooks
   * on for the whole process: measured on a bare node:http server here, that halved its
   * throughput. The verify service turns it off so its hot route can never pay for that.
   */
  accessLogs?: boolean;
  /**
   * Whether a graceful stop waits SHUTDOWN_DRAIN_MS, answering 503 on /readyz while it goes on
   * serving, before its listener closes (default true; the worker serves no traffic).
   */
  drainOnShutdown?: boolean;
}

/** How long this process keeps serving, not ready, before its listener closes. */
const SHUTDOWN_DRAIN_MS = Symbol('SHUTDOWN_DRAIN_MS');

/** Config, logging, database, Redis, secrets, metrics and health: what every process shares. */
@Global()
@Module({})
export class PlatformModule implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(private readonly moduleRef: ModuleRef) {}

  /**
   * First step of a graceful stop: /readyz answers 503 so that balancers stop sending traffic, and
   * for the drain period the process goes on serving whatever still arrives (answers then close
   * their connections, see createHttpApp), so that nothing is refused before balancers have looked.
   * Nest closes the listener after this returns.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.moduleRef.get(Readiness, { strict: false }).markStopping();
    const drainMs = this.moduleRef.get<number>(SHUTDOWN_DRAIN_MS, { strict: false });
    if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
  }

  /** Last step of a graceful stop: the spans not yet exported are sent (nothing when tracing is off). */
  async onApplicationShutdown(): Promise<void> {
    await stopTracing();
  }

  static forRoot(options: PlatformOptions): DynamicModule {
    const { config } = options;
    const rootLogger = createRootLogger({
      level: config.logLevel,
      format: config.logFormat,
      service: options.service,
      destination: options.logDestination,
    });
    const quiet = new Set(options.quietPaths ?? []);
    const metrics = new Metrics(options.service);
    return {
      module: PlatformModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          forRoutes: options.accessLogs === false ? [] : undefined,
          pinoHttp: {
            logger: rootLogger,
            genReqId: (request) => (request as { id?: string }).id ?? '',
            // pino-http serialises the request in the child logger's bindings, where the root
            // logger's formatters do not reach: redact the headers here.
            serializers: {
              req: redactRequest,
              res: (res: { statusCode?: number | null; raw?: { statusCode?: number } }) => ({
                statusCode: res.raw?.statusCode ?? res.statusCode ?? null,
              }),
            },
            autoLogging: { ignore: (request) => quiet.has((request.url ?? '').split('?')[0]) },
            customLogLevel: (_request, response, error) => accessLogLevel(response.statusCode, error),
            customErrorObject: (_request, response, error, fields: Record<string, unknown>) => accessErrorFields(response, error, fields),
          },
        }),
        DatabaseModule,
        RedisModule,
      ],
      controllers: options.withOperationsRoutes === false ? [] : [OperationsController],
      providers: [
        { provide: KEYWARD_CONFIG, useValue: config },
        { provide: SHUTDOWN_DRAIN_MS, useValue: options.drainOnShutdown === false ? 0 : config.shutdownDrainMs },
        { provide: Metrics, useValue: metrics },
        { provide: KeyedHasher, useValue: new KeyedHasher(config.pepper) },
        { provide: SecretBox, useValue: new SecretBox(config.encryptionKey) },
        {
          provide: Readiness,
          inject: [getDataSourceToken(), REDIS_CLIENT],
          useFactory: (dataSource: DataSource, redis: RedisClient) => {
            const readiness = new Readiness(dataSource, redis);
            exposeReadinessChecks(metrics, readiness);
            return readiness;
          },
        },
        InvalidationPublisher,
      ],
      exports: [KEYWARD_CONFIG, Metrics, KeyedHasher, SecretBox, Readiness, InvalidationPublisher, DatabaseModule, RedisModule],
    };
  }
}
