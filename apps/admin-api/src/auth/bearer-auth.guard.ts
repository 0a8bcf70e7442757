import { IS_PUBLIC, UnauthenticatedError, type AuthenticatedRequest, type Principal } from '@keyward/platform';
import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';

/** Global guard: every route but the @Public ones needs a known bearer token (401 otherwise). */
@Injectable()
export class BearerAuthGuard extends AuthGuard('bearer') {
  constructor(private readonly reflector: Reflector) {
    super({ session: false });
  }

  override canActivate(context: ExecutionContext) {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    return super.canActivate(context);
  }

  override handleRequest<T = Principal>(error: unknown, principal: T | false, _info: unknown, context: ExecutionContext): T {
    if (error) throw error instanceof Error ? error : new Error('The bearer strategy failed without an Error');
    if (!principal) throw new UnauthenticatedError();
    context.switchToHttp().getRequest<AuthenticatedRequest>().principal = principal as unknown as Principal;
    return principal;
  }
}
