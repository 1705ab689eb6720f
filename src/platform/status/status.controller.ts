import { Controller, Get, Headers, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter.js';
import { bearerToken, clientAddress } from '../auth/principal.js';
import { type StatusAudience, StatusRegistry } from './status.registry.js';

@Controller('v1/status')
export class StatusController {
  constructor(
    private readonly registry: StatusRegistry,
    private readonly apiKeys: ApiKeysService,
    private readonly failures: FailedAuthLimiter,
  ) {}

  /**
   * Public on purpose: load balancers and the demo poll it; without a key it
   * holds counts only. An admin or reviewer key adds internal detail (error
   * text, the process's memory). A wrong key counts as a failed
   * authentication and gets the public answer, never a hint.
   */
  @Get()
  async status(
    @Req() request: Request,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<{ status: 'ok' | 'degraded'; backlog: number; components: Record<string, unknown> }> {
    const snapshot = await this.registry.snapshot(await this.audienceOf(request, authorization));
    // Degraded: running, but a component has set work aside (quarantined events) that needs an operator.
    const degraded = Object.values(snapshot.components).some((part) => part.degraded === true);
    return { status: degraded ? 'degraded' : 'ok', ...snapshot };
  }

  private async audienceOf(request: Request, authorization: string | undefined): Promise<StatusAudience> {
    const secret = bearerToken(authorization);
    if (!secret) return 'public';
    const address = clientAddress(request);
    if (this.failures.retryAfterSeconds(address) > 0) return 'public';
    if (this.apiKeys.isAdminKey(secret)) return 'operator';
    const principal = await this.apiKeys.authenticate(secret);
    if (principal?.role === 'reviewer') return 'operator';
    if (!principal) this.failures.recordFailure(address, 'GET /v1/status', 'unknown or revoked key', secret);
    return 'public';
  }
}
