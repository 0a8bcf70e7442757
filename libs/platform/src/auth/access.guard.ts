import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ForbiddenError } from '../errors/domain-error';
import { ALLOWED_AUDIENCES, principalOf, type Audience, type AuthenticatedRequest } from './access';
import { IS_PUBLIC } from './public.decorator';

/** Role check after authentication: 403 for a known caller whose role may not call the route. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const allowed = this.reflector.getAllAndOverride<Audience[]>(ALLOWED_AUDIENCES, targets) ?? [];
    const principal = principalOf(context.switchToHttp().getRequest<AuthenticatedRequest>());
    // A suspended tenant's admins and auditors are told so on every route, whatever their role allows.
    if (principal.kind === 'credential' && principal.role !== 'verifier' && principal.tenantStatus === 'suspended') {
      throw new DomainError('TENANT_SUSPENDED', 'The tenant is suspended; its credentials may not use the admin API.');
    }
    const audience: Audience = principal.kind === 'platform' ? 'platform' : principal.role;
    if (!allowed.includes(audience)) throw new ForbiddenError();
    return true;
  }
}
