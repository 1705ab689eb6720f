import { Controller, Get } from '@nestjs/common';
import { StatusRegistry } from './status.registry.js';

@Controller('v1/status')
export class StatusController {
  constructor(private readonly registry: StatusRegistry) {}

  /** Public on purpose: load balancers and the demo poll it; it holds counts only. */
  @Get()
  async status(): Promise<{ status: 'ok' | 'degraded'; backlog: number; components: Record<string, unknown> }> {
    const snapshot = await this.registry.snapshot();
    // Degraded: running, but a component has set work aside (quarantined events) that needs an operator.
    const degraded = Object.values(snapshot.components).some((part) => part.degraded === true);
    return { status: degraded ? 'degraded' : 'ok', ...snapshot };
  }
}
