import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeysService } from './api-keys.service.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { bearerToken, clientAddress } from './principal.js';

/**
 * Delivery operations serve both reviewers and the operator. The global guard
 * takes one or the other per route, so these routes declare neither there and
 * use this guard instead.
 */
@Injectable()
export class ReviewerOrAdminGuard implements CanActivate {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly failures: FailedAuthLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const address = clientAddress(request);
    const where = `${request.method} ${request.path}`;
    this.failures.assertAllowed(address);
    const secret = bearerToken(request.headers.authorization);
    if (!secret) {
      this.failures.recordFailure(address, where, 'no Bearer key');
      throw new UnauthorizedException('Authorization: a Bearer key is required');
    }
    if (this.apiKeys.isAdminKey(secret)) return true;
    const principal = await this.apiKeys.authenticate(secret);
    if (!principal) {
      this.failures.recordFailure(address, where, 'unknown or revoked key', secret);
      throw new UnauthorizedException('Authorization: unknown or revoked key');
    }
    if (principal.role !== 'reviewer') throw new ForbiddenException('Authorization: a reviewer or admin key is required');
    return true;
  }
}
