import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { actorOf, type ChangeContext, type CredentialRole, type Principal } from './principal';

export type Audience = 'platform' | CredentialRole;

export const ALLOWED_AUDIENCES = 'keyward:allowed-audiences';

/** Who may call a route. A route with neither `@Allow` nor `@Public` is refused to everyone. */
export const Allow = (...audiences: Audience[]): ClassDecorator & MethodDecorator => SetMetadata(ALLOWED_AUDIENCES, audiences);

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal; user?: Principal };

export function principalOf(request: AuthenticatedRequest): Principal {
  const principal = request.principal;
  if (!principal) throw new Error('principalOf called on a route without authentication');
  return principal;
}

/** The authenticated caller of this request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal =>
  principalOf(context.switchToHttp().getRequest<AuthenticatedRequest>()),
);

/** The audit context of this request: its caller, request id and client address. */
export const CurrentChange = createParamDecorator((_: unknown, context: ExecutionContext): ChangeContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  return { actor: actorOf(principalOf(request)), requestId: String(request.id), ip: request.ip };
});
