import { Controller, Get } from '@nestjs/common';
import { StatusRegistry } from './status.registry.js';

@Controller('v1/status')
export class StatusController {
  constructor(private readonly registry: StatusRegistry) {}

  /** Public on purpose: load balancers and the demo poll it; it holds counts only. */
  @Get()
  async status(): Promise<{ status: 'ok'; backlog: number; components: Record<string, unknown> }> {
    return { status: 'ok', ...(await this.registry.snapshot()) };
  }
}
