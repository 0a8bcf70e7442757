import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { toProblem, type MappedProblem } from './to-problem';

export function sendProblem(reply: FastifyReply, mapped: MappedProblem): void {
  const { problem } = mapped;
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer');
  if (mapped.retryAfterSeconds !== undefined) reply.header('retry-after', String(mapped.retryAfterSeconds));
  reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** The single exit for every error: a problem+json body, never a stack trace. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = toProblem(error, String(request.id));
    if (mapped.errorId) {
      this.logger.error({ err: error, errorId: mapped.errorId, reqId: request.id }, 'Unexpected error');
    }
    sendProblem(reply, mapped);
  }
}
