import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';

/**
 * For routes whose body has optional fields only (rotate, revoke): a POST without any body means
 * `{}`, so `curl -X POST .../revoke` works. Runs before the validation pipe, which refuses a
 * missing body for every other route; a body that is present is left to the pipe as it is.
 */
@Injectable()
export class AbsentBodyAsEmptyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (request.body === undefined) request.body = {};
    return next.handle();
  }
}
