import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator';
import { Metrics } from '../metrics/metrics';
import { Readiness } from './readiness';

/** Liveness, readiness and Prometheus metrics, the same on every port. */
@ApiExcludeController()
@Public()
@Controller()
export class OperationsController {
  constructor(
    @Inject(Readiness) private readonly readiness: Readiness,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.readiness.check();
    reply.status(report.ready ? 200 : 503).send({ status: report.status, checks: report.checks });
  }

  @Get('metrics')
  async metricsText(@Res() reply: FastifyReply): Promise<void> {
    reply.type(this.metrics.registry.contentType).send(await this.metrics.text());
  }
}
