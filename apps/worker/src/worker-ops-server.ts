// The worker has no HTTP API, only /healthz, /readyz and /metrics on WORKER_PORT: a bare Fastify
// server, without Nest's request pipeline.
import { KEYWARD_CONFIG, Metrics, Readiness, type KeywardConfig } from '@keyward/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';

@Injectable()
export class WorkerOpsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly server: FastifyInstance = Fastify({ logger: false });

  constructor(
    @Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig,
    private readonly readiness: Readiness,
    private readonly metrics: Metrics,
  ) {
    this.server.get('/healthz', async () => ({ status: 'ok' }));
    this.server.get('/readyz', async (_request, reply) => {
      const report = await this.readiness.check();
      return reply.status(report.ready ? 200 : 503).send({ status: report.status, checks: report.checks });
    });
    this.server.get('/metrics', async (_request, reply) => reply.type(this.metrics.registry.contentType).send(await this.metrics.text()));
  }

  /** The port actually bound (WORKER_PORT, or the kernel's pick when it is 0). */
  get port(): number {
    const address = this.server.server.address();
    return typeof address === 'object' && address ? address.port : this.config.workerPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.server.listen({ port: this.config.workerPort, host: this.config.host });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.close();
  }
}
