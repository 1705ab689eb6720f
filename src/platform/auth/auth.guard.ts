import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { ApiKeyRole } from './api-key.js';
import { ApiKeysService } from './api-keys.service.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { bearerToken, clientAddress, type Principal } from './principal.js';

const ROLES = 'roomwatch:roles';
const ADMIN = 'roomwatch:admin';

/** The route takes an API key of one of these roles. */
export const RequireRole = (...roles: ApiKeyRole[]) => SetMetadata(ROLES, roles);
/** The route takes the operator's ADMIN_KEY. */
export const RequireAdmin = () => SetMetadata(ADMIN, true);

type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * One guard for every HTTP route: a route declares who may call it and the
 * guard resolves the bearer key. Routes that declare nothing are public
 * (status, the console's static files).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly failures: FailedAuthLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const roles = this.reflector.getAllAndOverride<ApiKeyRole[] | undefined>(ROLES, targets);
    const admin = this.reflector.getAllAndOverride<boolean | undefined>(ADMIN, targets);
    if (!roles && !admin) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const address = clientAddress(request);
    const where = `${request.method} ${request.path}`;
    this.failures.assertAllowed(address);
    const secret = bearerToken(request.headers.authorization);
    if (!secret) {
      this.failures.recordFailure(address, where, 'no Bearer key');
      throw new UnauthorizedException('Authorization: a Bearer key is required');
    }
    if (admin) {
      if (this.apiKeys.isAdminKey(secret)) return true;
      this.failures.recordFailure(address, where, 'not the admin key', secret);
      throw new UnauthorizedException('Authorization: not a valid admin key');
    }
    const principal = await this.apiKeys.authenticate(secret);
    if (!principal) {
      this.failures.recordFailure(address, where, 'unknown or revoked key', secret);
      throw new UnauthorizedException('Authorization: unknown or revoked key');
    }
    if (!roles!.includes(principal.role)) {
      throw new ForbiddenException(`Authorization: a ${roles!.join(' or ')} key is required`);
    }
    request.principal = principal;
    return true;
  }
}

/** The caller's principal on a route guarded by RequireRole. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new UnauthorizedException('Authorization: a Bearer key is required');
  return principal;
});
