import { Controller, Get, Header, Inject, NotFoundException } from '@nestjs/common';
import { RequireAdmin } from '../auth/auth.guard.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MetricsService } from './metrics.service.js';

/**
 * `/metrics` on the service's own port, behind the admin key, when no
 * METRICS_PORT is set. With METRICS_PORT the metrics are served there instead
 * (a scrape port kept off the public listener) and this route answers 404.
 */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @RequireAdmin()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    if (this.config.METRICS_PORT !== undefined) throw new NotFoundException(`metrics are served on port ${this.config.METRICS_PORT}`);
    return this.metrics.registry.metrics();
  }
}
