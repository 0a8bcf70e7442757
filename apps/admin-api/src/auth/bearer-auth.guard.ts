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
    // The strategy's own failure, passed on as it is: the one error mapping reads its shape (a store
    // that is down answers 503), which wrapping it would hide.
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- see above
    if (error) throw error;
    if (!principal) throw new UnauthenticatedError();
    context.switchToHttp().getRequest<AuthenticatedRequest>().principal = principal as unknown as Principal;
    return principal;
  }
}
